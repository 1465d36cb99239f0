#!/usr/bin/env bash
# Long differential run: random projects and edit sequences, each build
# compared with a build from scratch (crates/caravan/tests/it/differential.rs).
# Usage: scripts/soak.sh [EDITS_PER_SEQUENCE] [SEQUENCES]
# A failure prints the seed; rerun it with
#   CARAVAN_SOAK_SEED=<seed> CARAVAN_SOAK_EDITS=<n> cargo test --release -p caravan --test it differential
set -euo pipefail
cd "$(dirname "$0")/.."
edits=${1:-1000}
sequences=${2:-10}
cargo build --release --quiet -p caravan --tests
total=0
for i in $(seq 1 "$sequences"); do
  seed=$(( (RANDOM << 16) ^ RANDOM ^ $(date +%N) ))
  seed=$(( seed < 0 ? -seed : seed ))
  echo "sequence $i/$sequences: seed $seed, $edits edits"
  if ! CARAVAN_SOAK_SEED=$seed CARAVAN_SOAK_EDITS=$edits \
       cargo test --release --quiet -p caravan --test it differential -- --nocapture; then
    echo "FAILED with seed $seed ($edits edits)"
    exit 1
  fi
  total=$(( total + edits ))
done
echo "soak: $total edits without divergence"
