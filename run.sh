#!/usr/bin/env bash
# Installs the OCaml toolchain if it is missing, builds caravan in release
# mode, then builds the example projects with it and runs the programs.
set -euo pipefail
cd "$(dirname "$0")"

scripts/install-packages.sh ocaml-nox ocaml-findlib ocamlbuild
echo "run: building caravan (cargo build --release; a few minutes the first time)..."
cargo build --release --quiet -p caravan
caravan=$PWD/target/release/caravan

echo "run: building examples/hello with caravan"
(
  cd examples/hello
  "$caravan" main.native main.byte
  echo "--- ./main.native"
  ./main.native
  echo "--- ./main.byte"
  ./main.byte
)

# Two code bases shaped like seed 001's: platform installs its library into
# an install root, codebase uses it from there (external in its build_libs).
root=$PWD/target/example-mlstatelibs
echo "run: installing the library of examples/platform into $root"
(cd examples/platform && "$caravan" -install "$root")
echo "run: building examples/codebase against it (MLSTATELIBS=$root)"
(
  cd examples/codebase
  MLSTATELIBS=$root "$caravan" app/main.native app/main.byte
  echo "--- ./main.native"
  ./main.native
  echo "--- ./main.byte (its C stubs loaded from _build/libs/store/stubs)"
  CAML_LD_LIBRARY_PATH=_build/libs/store/stubs ./main.byte
)
