#!/usr/bin/env bash
# Long runs of the correctness harnesses:
# - differential: random projects and edit sequences, each build compared
#   with a build from scratch (crates/caravan/tests/it/differential.rs);
# - interruptions: builds stopped with SIGKILL or SIGINT at random instants,
#   then checked to recover (crates/caravan/tests/it/interruption.rs).
# Usage: scripts/soak.sh [EDITS_PER_SEQUENCE] [SEQUENCES] [INSTANTS]
# A failure prints the seed; rerun it with
#   CARAVAN_SOAK_SEED=<seed> CARAVAN_SOAK_EDITS=<n> cargo test --release -p caravan --test it differential
#   CARAVAN_KILL_SEED=<seed> CARAVAN_KILL_INSTANTS=<n> cargo test --release -p caravan --test it interrupted_builds
set -euo pipefail
cd "$(dirname "$0")/.."
edits=${1:-1000}
sequences=${2:-10}
instants=${3:-120}
random_seed() {
  local seed=$(( (RANDOM << 16) ^ RANDOM ^ $(date +%N) ))
  echo $(( seed < 0 ? -seed : seed ))
}
cargo build --release --quiet -p caravan --tests
total=0
for i in $(seq 1 "$sequences"); do
  seed=$(random_seed)
  echo "sequence $i/$sequences: seed $seed, $edits edits"
  if ! CARAVAN_SOAK_SEED=$seed CARAVAN_SOAK_EDITS=$edits \
       cargo test --release --quiet -p caravan --test it differential -- --nocapture; then
    echo "FAILED with seed $seed ($edits edits)"
    exit 1
  fi
  total=$(( total + edits ))
done
echo "soak: $total edits without divergence"
if [ "$instants" -gt 0 ]; then
  seed=$(random_seed)
  echo "interruptions: seed $seed, $instants instants"
  if ! CARAVAN_KILL_SEED=$seed CARAVAN_KILL_INSTANTS=$instants \
       cargo test --release --quiet -p caravan --test it interrupted_builds -- --nocapture; then
    echo "FAILED with kill seed $seed ($instants instants)"
    exit 1
  fi
  echo "soak: $instants interrupted builds recovered"
fi
