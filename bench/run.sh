#!/usr/bin/env bash
# run.sh — the one command: installs what the benchmark needs if missing,
# builds caravan in release mode (unless CARAVAN names a binary), then runs
# bench/run.py with the same arguments.
#   bench/run.sh --quick                      # 100 modules, 3 runs, a few minutes
#   bench/run.sh [--sizes 100,1000,5000] [--runs 5] [--timeout 600] [--libs] ...
#   bench/run.sh --help                       # every option
# Environment: CARAVAN=/path/to/caravan (skip the build), CARGO_TARGET_DIR,
# BENCH_WORK (scratch folder, default /tmp/caravan-bench).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
repo=$(dirname "$here")

# A missing tool is reported as missing in the table; only Python is required.
"$repo/scripts/install-packages.sh" ocaml-nox ocamlbuild dune make python3 \
  || echo "warning: could not install every package; missing tools will be reported as missing" >&2
command -v python3 >/dev/null || { echo "error: python3 is required" >&2; exit 1; }

case " $* " in *" --help "* | *" -h "*) exec python3 "$here/run.py" "$@" ;; esac

if [ -z "${CARAVAN:-}" ]; then
  target_dir=${CARGO_TARGET_DIR:-$repo/target}
  echo "Building caravan (release) in $target_dir ..."
  if (cd "$repo" && CARGO_TARGET_DIR="$target_dir" cargo build --release --quiet -p caravan); then
    export CARAVAN="$target_dir/release/caravan"
  else
    echo "warning: caravan did not build; it will be reported as missing" >&2
    export CARAVAN="$target_dir/release/caravan-did-not-build"
  fi
fi
exec python3 "$here/run.py" "$@"
