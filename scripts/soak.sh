#!/usr/bin/env bash
# Long runs of the correctness harnesses:
# - differential: random projects and edit sequences, each build compared
#   with a build from scratch (crates/caravan/tests/it/differential.rs);
# - interruptions: builds stopped with SIGKILL or SIGINT at random instants,
#   then checked to recover (crates/caravan/tests/it/interruption.rs).
#
# Usage: scripts/soak.sh [EDITS_PER_SEQUENCE] [SEQUENCES] [INSTANTS]
#        scripts/soak.sh --resume
#
# Seeds come from /dev/urandom. Progress is kept in target/soak-state
# (override with CARAVAN_SOAK_STATE): the settings, the sequences and edits
# done, every seed used, and the seed of the sequence under way. A soak that
# was stopped (killed, machine rebooted, or a failure that has since been
# fixed) continues with `scripts/soak.sh --resume`: the sequence that did not
# finish runs again with its seed, then the remaining ones. Starting without
# --resume begins a new soak and overwrites the state file.
#
# Remote cache: when CARAVAN_SOAK_REMOTE_CACHE is set (for instance to the
# CARAVAN_TEST_REAPI or CARAVAN_TEST_HTTP_CACHE URL of
# scripts/remote-server.sh), it is exported to the tests, which then build
# with that remote cache. A resumed soak uses the remote cache recorded in the
# state file unless CARAVAN_SOAK_REMOTE_CACHE is set (set it empty for none).
#
# A failure prints the seed; rerun it with
#   CARAVAN_SOAK_SEED=<seed> CARAVAN_SOAK_EDITS=<n> cargo test --release -p caravan --test it differential::incremental_builds_agree_with_builds_from_scratch
#   CARAVAN_KILL_SEED=<seed> CARAVAN_KILL_INSTANTS=<n> cargo test --release -p caravan --test it interrupted_builds
set -euo pipefail
cd "$(dirname "$0")/.."

state_file=${CARAVAN_SOAK_STATE:-target/soak-state}

# A random seed from the kernel: a plain decimal number (never with a leading
# zero that bash arithmetic would read as octal).
random_seed() {
  od -An -N4 -tu4 /dev/urandom | tr -d ' \n'
}

is_count() { [[ "$1" =~ ^[0-9]+$ ]]; }

# The state file holds KEY=VALUE lines; it is read without running it.
state_get() { # key [default]
  local line
  line=$(grep -m1 "^$1=" "$state_file" 2>/dev/null || true)
  if [ -n "$line" ]; then echo "${line#*=}"; else echo "${2:-}"; fi
}

save_state() {
  mkdir -p "$(dirname "$state_file")"
  local tmp="$state_file.tmp.$$"
  {
    echo "# scripts/soak.sh progress; continue with: scripts/soak.sh --resume"
    echo "edits=$edits"
    echo "sequences=$sequences"
    echo "instants=$instants"
    echo "sequences_done=$sequences_done"
    echo "edits_done=$edits_done"
    echo "current_seed=$current_seed"
    echo "interruptions_done=$interruptions_done"
    echo "seeds=$seeds"
    echo "remote_cache=${CARAVAN_SOAK_REMOTE_CACHE:-}"
  } >"$tmp"
  mv -f "$tmp" "$state_file"
}

if [ "${1:-}" = --resume ]; then
  [ -f "$state_file" ] || { echo "soak: no $state_file to resume from" >&2; exit 2; }
  edits=$(state_get edits)
  sequences=$(state_get sequences)
  instants=$(state_get instants)
  sequences_done=$(state_get sequences_done 0)
  edits_done=$(state_get edits_done 0)
  current_seed=$(state_get current_seed)
  interruptions_done=$(state_get interruptions_done 0)
  seeds=$(state_get seeds)
  for v in "$edits" "$sequences" "$instants" "$sequences_done" "$edits_done" "$interruptions_done"; do
    is_count "$v" || { echo "soak: $state_file is damaged" >&2; exit 2; }
  done
  [ -z "$current_seed" ] || is_count "$current_seed" || { echo "soak: $state_file is damaged" >&2; exit 2; }
  # The same soak: the remote cache it ran with, unless the variable is set now.
  if [ -z "${CARAVAN_SOAK_REMOTE_CACHE+set}" ] && [ -n "$(state_get remote_cache)" ]; then
    CARAVAN_SOAK_REMOTE_CACHE=$(state_get remote_cache)
  fi
  echo "soak: resuming: $sequences_done/$sequences sequences done ($edits_done edits)${current_seed:+, sequence with seed $current_seed runs again}"
else
  edits=${1:-1000}
  sequences=${2:-10}
  instants=${3:-120}
  for v in "$edits" "$sequences" "$instants"; do
    is_count "$v" || { echo "usage: scripts/soak.sh [EDITS_PER_SEQUENCE] [SEQUENCES] [INSTANTS] | --resume" >&2; exit 2; }
  done
  sequences_done=0
  edits_done=0
  current_seed=
  interruptions_done=0
  seeds=
fi

if [ -n "${CARAVAN_SOAK_REMOTE_CACHE:-}" ]; then
  export CARAVAN_SOAK_REMOTE_CACHE
  echo "soak: with the remote cache $CARAVAN_SOAK_REMOTE_CACHE"
fi

# A new seed for the next run, unless a resumed run left one to replay.
take_seed() {
  if [ -z "$current_seed" ]; then
    current_seed=$(random_seed)
    seeds="${seeds:+$seeds,}$current_seed"
    save_state
  fi
}

save_state
cargo build --release --quiet -p caravan --tests
while [ "$sequences_done" -lt "$sequences" ]; do
  i=$((sequences_done + 1))
  take_seed
  echo "sequence $i/$sequences: seed $current_seed, $edits edits"
  if ! CARAVAN_SOAK_SEED=$current_seed CARAVAN_SOAK_EDITS=$edits \
    cargo test --release --quiet -p caravan --test it \
      differential::incremental_builds_agree_with_builds_from_scratch -- --exact --nocapture; then
    echo "FAILED with seed $current_seed ($edits edits); after a fix, scripts/soak.sh --resume runs it again"
    exit 1
  fi
  sequences_done=$i
  edits_done=$((edits_done + edits))
  current_seed=
  save_state
done
echo "soak: $edits_done edits without divergence"
if [ "$instants" -gt 0 ] && [ "$interruptions_done" = 0 ]; then
  take_seed
  echo "interruptions: seed $current_seed, $instants instants"
  if ! CARAVAN_KILL_SEED=$current_seed CARAVAN_KILL_INSTANTS=$instants \
    cargo test --release --quiet -p caravan --test it interrupted_builds -- --nocapture; then
    echo "FAILED with kill seed $current_seed ($instants instants)"
    exit 1
  fi
  interruptions_done=1
  current_seed=
  save_state
  echo "soak: $instants interrupted builds recovered"
fi
echo "soak: done (state in $state_file)"
