#!/usr/bin/env bash
# Installs the OCaml toolchain if it is missing, builds caravan in release
# mode, then builds the example project with it and runs the programs.
set -euo pipefail
cd "$(dirname "$0")"

scripts/install-packages.sh ocaml-nox ocaml-findlib ocamlbuild
echo "run: building caravan (cargo build --release; a few minutes the first time)..."
cargo build --release --quiet -p caravan
echo "run: building examples/hello with caravan"

cd examples/hello
../../target/release/caravan main.native main.byte
echo "--- ./main.native"
./main.native
echo "--- ./main.byte"
./main.byte
