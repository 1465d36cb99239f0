#!/usr/bin/env bash
# The corpus of real projects: published ocamlbuild projects, taken as
# Debian source packages, each built by its own build driver (debian/rules'
# make, `ocaml setup.ml`, `ocaml pkg/pkg.ml`) once with the real ocamlbuild
# and once with caravan; scripts/corpus.py compares the artifacts and the
# output of a built program, and prints clean and null build times side by
# side.
#
# Usage: scripts/corpus.sh [--short] [--fetch-only] [PROJECT...]
#   --short       only the two small projects (what ./test.sh runs)
#   --fetch-only  fetch and unpack the sources, build nothing
#
# Sources are kept in $CARAVAN_CORPUS_DIR (default ~/.cache/caravan/corpus);
# fetching them needs the network and root (deb-src is enabled in a file of
# its own, /etc/apt/sources.list.d/caravan-deb-src.sources).
set -euo pipefail
cd "$(dirname "$0")/.."

cache="${CARAVAN_CORPUS_DIR:-$HOME/.cache/caravan/corpus}"
packages=(camlp4 ocaml-batteries ocaml-fmt uutf react ulex ocamlmod ocamlify)

short=()
fetch_only=false
chosen=()
for a in "$@"; do
  case "$a" in
    --short) short=(--short) ;;
    --fetch-only) fetch_only=true ;;
    *) chosen+=("$a") ;;
  esac
done

# What the projects' build drivers need: the compilers, ocamlbuild and
# findlib, topkg and cmdliner (topkg projects), ounit, num and
# camlp-streams (batteries), camlp4 (ulex); dpkg-dev unpacks the source
# packages.
scripts/install-packages.sh ocaml-nox ocaml-findlib ocamlbuild dpkg-dev camlp4 \
  libtopkg-ocaml-dev libcmdliner-ocaml-dev libounit-ocaml-dev libnum-ocaml-dev \
  libcamlp-streams-ocaml-dev

deb_src=/etc/apt/sources.list.d/caravan-deb-src.sources
have_sources() {
  for p in "${packages[@]}"; do
    compgen -G "$cache/x/${p}_*/debian/rules" >/dev/null || return 1
  done
}
if ! have_sources; then
  if [ ! -e "$deb_src" ] && ! grep -rqs '^Types: deb-src\|^deb-src' /etc/apt/sources.list /etc/apt/sources.list.d; then
    echo "Enabling Debian source packages (deb-src) in $deb_src ..."
    cat > "$deb_src" <<'EOF'
Types: deb-src
URIs: http://deb.debian.org/debian
Suites: bookworm bookworm-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
EOF
    apt-get update -qq
  fi
  mkdir -p "$cache/src" "$cache/x"
  for p in "${packages[@]}"; do
    if compgen -G "$cache/x/${p}_*/debian/rules" >/dev/null; then
      continue
    fi
    echo "Fetching the source package $p ..."
    (cd "$cache/src" && apt-get source -qq --download-only "$p" >/dev/null)
    for dsc in "$cache/src/${p}"_*.dsc; do
      dpkg-source -q -x "$dsc" "$cache/x/$(basename "$dsc" .dsc)" >/dev/null 2>&1
    done
  done
fi
$fetch_only && exit 0

cargo build --release --quiet -p caravan
exec python3 scripts/corpus.py "${short[@]}" --cache "$cache" "${chosen[@]}"
