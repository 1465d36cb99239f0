#!/usr/bin/env bash
# Coverage-guided fuzzing of the parsers with cargo-fuzz (libFuzzer).
# Usage: scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGETS...]
#   targets: tags_parser glob depscan meta (default: all four)
# Needs nightly Rust (`rustup toolchain install nightly`); installs
# cargo-fuzz when it is missing. Each target runs alone for the given time
# (one libFuzzer process, no -jobs: one CPU), starting from its corpus in
# fuzz/corpus/<target> plus seeds collected here from the system's OCaml
# files (fuzz/seeds/<target>) and the regression inputs in
# fuzz/regressions/<target>. A crash leaves its input in
# fuzz/artifacts/<target>/; save it under fuzz/regressions/<target>/, where
# the crate's ordinary tests replay it (`cargo test`), then fix the cause.
# Extra libFuzzer options can be passed in FUZZ_ARGS (e.g. "-rss_limit_mb=4096").
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD

seconds=${1:-600}
shift || true
all=(tags_parser glob depscan meta)
if [ $# -gt 0 ]; then targets=("$@"); else targets=("${all[@]}"); fi
for t in "${targets[@]}"; do
  case " ${all[*]} " in
    *" $t "*) ;;
    *) echo "fuzz.sh: unknown target '$t' (known: ${all[*]})" >&2; exit 2 ;;
  esac
done
case "$seconds" in
  ''|*[!0-9]*) echo "fuzz.sh: SECONDS_PER_TARGET must be a number, got '$seconds'" >&2; exit 2 ;;
esac

if ! rustup run nightly rustc --version >/dev/null 2>&1; then
  echo "fuzz.sh: cargo-fuzz needs a nightly Rust toolchain, and none is installed." >&2
  echo "fuzz.sh: install it with: rustup toolchain install nightly" >&2
  exit 1
fi
if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "fuzz.sh: installing cargo-fuzz"
  cargo install --locked cargo-fuzz
fi

seeds=$root/fuzz/seeds

# Copies the files that `find` prints into directory $1, named by content
# hash (so a file met twice is kept once), skipping those over $2 bytes.
collect() {
  local into=$1 max=$2 f
  mkdir -p "$into"
  while IFS= read -r -d '' f; do
    [ -f "$f" ] && [ "$(stat -c %s "$f")" -le "$max" ] || continue
    cp "$f" "$into/$(sha1sum "$f" | cut -c1-40)" 2>/dev/null || true
  done
}

# Writes each Python bytes literal of the `tags: b'...'` lines of a test
# vector file as a seed.
vector_tags() {
  command -v python3 >/dev/null || return 0
  python3 - "$1" "$2" <<'EOF'
import ast, hashlib, os, sys
src, into = sys.argv[1], sys.argv[2]
for line in open(src, encoding="utf-8", errors="replace"):
    if line.startswith("tags: b"):
        try:
            text = ast.literal_eval(line[len("tags: "):].strip())
        except (ValueError, SyntaxError):
            continue
        with open(os.path.join(into, hashlib.sha1(text).hexdigest()), "wb") as f:
            f.write(text)
EOF
}

# The OCaml compiler's sources (package ocaml-source), unpacked once.
compiler_sources() {
  local dir=$seeds/.ocaml-src tarball inner
  if [ ! -d "$dir/done" ]; then
    tarball=$(ls /usr/src/ocaml-source-*.tar* 2>/dev/null | sort | tail -n 1 || true)
    [ -n "$tarball" ] || return 0
    rm -rf "$dir" && mkdir -p "$dir/outer" "$dir/src"
    tar xf "$tarball" -C "$dir/outer" 2>/dev/null || return 0
    inner=$(find "$dir/outer" -maxdepth 2 -type f -name '*.tar*' | head -n 1)
    if [ -n "$inner" ]; then tar xf "$inner" -C "$dir/src" 2>/dev/null || return 0; fi
    rm -rf "$dir/outer"
    mkdir -p "$dir/done"
  fi
  echo "$dir/src"
}

build_seeds() {
  local t=$1 dir=$seeds/$1 p
  rm -rf "$dir" && mkdir -p "$dir"
  case "$t" in
    tags_parser)
      find "$root/examples" "$root/crates" /usr/share/doc/ocamlbuild -name '_tags' -print0 2>/dev/null |
        collect "$dir" 65536
      for v in "$root"/crates/tags/tests/it/*_vectors.txt; do vector_tags "$v" "$dir"; done
      ;;
    glob)
      # `glob<NUL>path<NUL>path...` from the vectors checked against
      # ocamlbuild: each `<glob>` with the paths it was evaluated on.
      awk -F'\t' '$1 == "eval" && $2 ~ /^<.*>$/ {
          g = substr($2, 2, length($2) - 2); p = $4; gsub(/^"|"$/, "", p)
          paths[g] = paths[g] "\t" p
        }
        END { for (g in paths) print g paths[g] }' "$root/crates/tags/tests/it/glob_vectors.tsv" |
        while IFS= read -r line; do
          printf '%s' "$line" | tr '\t' '\0' >"$dir/$(printf '%s' "$line" | sha1sum | cut -c1-40)"
        done
      ;;
    depscan)
      find /usr/lib/ocaml "$(compiler_sources)" \( -name '*.ml' -o -name '*.mli' \) -print0 2>/dev/null |
        collect "$dir" 16384
      ;;
    meta)
      {
        find /usr/lib/ocaml "$root/crates/findlib" -name 'META*' -print0 2>/dev/null
        if command -v ocamlfind >/dev/null; then
          for p in $(ocamlfind printconf path 2>/dev/null) "$(ocamlfind printconf conf 2>/dev/null)"; do
            [ -e "$p" ] && find "$p" -maxdepth 2 \( -name 'META*' -o -name '*.conf' \) -print0
          done
        fi
      } | collect "$dir" 65536
      ;;
  esac
}

# Same flags as the runs below, so that they find the targets built.
# No sanitizer: the crates have no unsafe code, and AddressSanitizer's
# fake stacks would defeat depscan's stack-depth guard. Debug assertions
# stay on, so that arithmetic overflow is a crash.
fuzz_flags=(--sanitizer none --debug-assertions)
(cd "$root/fuzz" && cargo +nightly fuzz build "${fuzz_flags[@]}") 2>&1 | tail -n 3

mkdir -p "$root/fuzz/logs"
summary=()
failed=0
for t in "${targets[@]}"; do
  build_seeds "$t"
  mkdir -p "$root/fuzz/corpus/$t" "$root/fuzz/regressions/$t"
  log=$root/fuzz/logs/$t.log
  echo "== $t: ${seconds}s, $(ls "$seeds/$t" | wc -l) seeds, log in fuzz/logs/$t.log"
  start=$(date +%s)
  # New inputs go to the first directory; the others are only read. An
  # input taking a minute (on inputs of a few KB) counts as a failure.
  set +e
  TIMEFORMAT='%U %S'
  cpu=$( { time (cd "$root/fuzz" && cargo +nightly fuzz run "${fuzz_flags[@]}" "$t" \
      "corpus/$t" "seeds/$t" "regressions/$t" -- \
      -max_total_time="$seconds" -timeout=60 -print_final_stats=1 ${FUZZ_ARGS:-} >"$log" 2>&1) ; } 2>&1 )
  status=$?
  set -e
  elapsed=$(( $(date +%s) - start ))
  # CPU seconds (user + system) of the run: less than the wall time on a
  # busy machine.
  cpu=$(echo "$cpu" | awk 'NF == 2 { printf "%d", $1 + $2 }')
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -n 1 || true)
  done_line=$(grep -E '^#[0-9]+[[:space:]]+DONE' "$log" | tail -n 1 || true)
  if [ "$status" -eq 0 ]; then
    result=ok
  else
    result="CRASH (exit $status): see fuzz/artifacts/$t/ and $log"
    failed=1
    grep -E 'panicked at|deadly signal|ERROR: libFuzzer' "$log" | head -n 3 || true
  fi
  summary+=("$(printf '%-12s %12s execs  %6ss wall  %6ss CPU  %s' "$t" "${runs:-?}" "$elapsed" "${cpu:-?}" "$result")")
  [ -n "$done_line" ] && summary+=("             $done_line")
done
echo
echo "== fuzz summary (${seconds}s per target)"
printf '%s\n' "${summary[@]}"
exit "$failed"
