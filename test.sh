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
echo "tests: building and running every test of the workspace..."
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --workspace --no-fail-fast
else
  cargo test --workspace --no-fail-fast
fi
