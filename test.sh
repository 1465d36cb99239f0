#!/usr/bin/env bash
# Installs what the tests need when it is missing, then runs every check and
# every test of the workspace. The last line is the test count.
set -euo pipefail
cd "$(dirname "$0")"

# The compilers and ocamlbuild (tests compare with the real one), the
# compiler sources (the scanner is checked on all of them), `script` and
# tmux (pseudo-terminals for the status-line tests), menhir with its runtime
# library and camlp4 (generated sources and preprocessors), oasis (a test
# builds an OASIS-generated myocamlbuild.ml), and the OCaml libraries the
# findlib comparison runs over.
scripts/install-packages.sh ocaml-nox ocaml-findlib ocamlbuild ocaml-source bsdutils oasis \
  menhir libmenhir-ocaml-dev camlp4 tmux
bash crates/findlib/tests/install-packages.sh

# The set-up must leave the machine's ocamlfind working for its other
# projects: OASIS-generated plugins (and ocamlbuild with them) run
# `ocamlfind list`. (crates/findlib/tests/it/system.rs checks it too.)
if ! list_errors="$(ocamlfind list 2>&1 >/dev/null)"; then
  echo "test.sh: \`ocamlfind list\` fails on this machine after the set-up:" >&2
  echo "$list_errors" | tail -n 3 >&2
  echo "(libppx-visitors-ocaml-dev, which earlier versions of this script installed," \
    "causes Fl_topo.Inconsistent_ordering: apt-get remove libppx-visitors-ocaml-dev)" >&2
  exit 1
fi

# What this script builds with caravan (the corpus) uses a local cache of
# its own, so that the machine's ~/.cache is left alone; the tests give
# each test process one of its own.
test_cache="$(mktemp -d "${TMPDIR:-/tmp}/caravan-test-cache.XXXXXX")"
export CARAVAN_CACHE_DIR="$test_cache"
# This run's remote test servers (started below) and its cache go when it
# ends, however it ends.
remote_state="${TMPDIR:-/tmp}/caravan-remote-test.$$"
remote_env=(CARAVAN_REMOTE_STATE="$remote_state" CARAVAN_REMOTE_PORT=50072
  CARAVAN_REMOTE_HTTP_PORT=8090 CARAVAN_REMOTE_PG_PORT=54330)
cleanup() {
  env "${remote_env[@]}" scripts/remote-server.sh stop >/dev/null 2>&1 || true
  rm -rf "$test_cache"
}
trap cleanup EXIT

# No module of a crate leads back to itself through its imports, paths
# and doc links (scripts/module-cycles.py says how it reads them).
echo "module-cycles: checking that no crate has an import circle between its modules"
python3 scripts/module-cycles.py
echo "fmt: checking the formatting (cargo fmt --check)"
cargo fmt --all -- --check
echo "clippy: building the workspace and linting it (cargo clippy; a few minutes the first time)..."
cargo clippy --workspace --all-targets --quiet -- -D warnings
echo "doc tests: building and running them (cargo test --doc)..."
cargo test --workspace --doc --quiet

# The short corpus (two small published projects, built with ocamlbuild
# and with caravan, compared): only when their sources are cached, since
# fetching them needs deb-src and the network (scripts/corpus.sh does).
corpus_cache="${CARAVAN_CORPUS_DIR:-$HOME/.cache/caravan/corpus}"
if compgen -G "$corpus_cache/x/uutf_*/debian/rules" >/dev/null \
  && compgen -G "$corpus_cache/x/ocamlmod_*/debian/rules" >/dev/null; then
  echo "corpus: building caravan in release mode, then the short corpus with it and ocamlbuild..."
  cargo build --release --quiet -p caravan
  python3 scripts/corpus.py --short --cache "$corpus_cache"
else
  echo "corpus: skipped, the sources of uutf and ocamlmod are not in $corpus_cache" \
    "(scripts/corpus.sh --fetch-only fetches them)"
fi
# The remote tests run against real servers on loopback: BuildGrid with
# its test workers and nginx as an HTTP cache (scripts/remote-server.sh),
# on ports and in a folder of this run's own, stopped when the script ends.
echo "remote: starting the test servers (BuildGrid, its workers, nginx; the first time installs them)..."
if env "${remote_env[@]}" scripts/remote-server.sh start >"${TMPDIR:-/tmp}/caravan-remote-start.$$.log" 2>&1; then
  set -a
  # shellcheck disable=SC1091
  . "$remote_state/env"
  set +a
  echo "remote: servers ready ($CARAVAN_TEST_REAPI, $CARAVAN_TEST_HTTP_CACHE)"
else
  echo "remote: the test servers could not be started, so the remote tests will say they are" \
    "skipped; why:"
  tail -n 5 "${TMPDIR:-/tmp}/caravan-remote-start.$$.log" | sed 's/^/  /'
fi
rm -f "${TMPDIR:-/tmp}/caravan-remote-start.$$.log"
echo "tests: building and running every test of the workspace..."
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast
else
  cargo test --workspace --no-fail-fast
fi
