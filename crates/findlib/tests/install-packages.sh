#!/usr/bin/env bash
# Installs the Debian OCaml library packages that the findlib comparison test
# (tests/it) checks against the real ocamlfind. Idempotent: packages already
# installed are skipped, and apt is only called for missing ones; silent when
# nothing is missing, otherwise one line before each step.
#
# Packages that would break the machine's ocamlfind for its other projects
# are downloaded into tests/debs/ instead, never installed (see DEBS).
#
# Usage: bash crates/findlib/tests/install-packages.sh   (as root, Debian 12)
set -euo pipefail

# A broad mix: plain libraries, packages with sub-packages, ppx rewriters
# (ppx, ppxopt, ppx_driver/custom_ppx predicates), camlp4 syntax extensions
# (syntax/preprocessor predicates), thread-dependent packages (mt
# predicates), and packages that use exists_if, error, linkopts and
# META.<name> files.
PACKAGES=(
  ocaml-findlib
  libfindlib-ocaml-dev
  libcmdliner-ocaml-dev
  libyojson-ocaml-dev
  libre-ocaml-dev
  libsexplib-ocaml-dev
  libsexplib0-ocaml-dev
  libparsexp-ocaml-dev
  libcsexp-ocaml-dev
  libbase-ocaml-dev
  libstdio-ocaml-dev
  libppxlib-ocaml-dev
  libppx-deriving-ocaml-dev
  libppx-deriving-yojson-ocaml-dev
  libppx-sexp-conv-ocaml-dev
  libppx-compare-ocaml-dev
  libppx-hash-ocaml-dev
  libppx-fields-conv-ocaml-dev
  libppx-variants-conv-ocaml-dev
  libppx-here-ocaml-dev
  libppx-custom-printf-ocaml-dev
  libppx-bin-prot-ocaml-dev
  libppx-import-ocaml-dev
  libppx-optcomp-ocaml-dev
  libppx-tools-ocaml-dev
  libmigrate-parsetree-ocaml-dev
  libbin-prot-ocaml-dev
  libfieldslib-ocaml-dev
  libvariantslib-ocaml-dev
  libtyperep-ocaml-dev
  liblwt-ocaml-dev
  liblwt-log-ocaml-dev
  libreact-ocaml-dev
  libzarith-ocaml-dev
  libnum-ocaml-dev
  libbatteries-ocaml-dev
  libextlib-ocaml-dev
  libcamlp4-ocaml-dev
  libcamlp-streams-ocaml-dev
  libfmt-ocaml-dev
  liblogs-ocaml-dev
  libastring-ocaml-dev
  libfpath-ocaml-dev
  libbos-ocaml-dev
  libmtime-ocaml-dev
  libptime-ocaml-dev
  libuutf-ocaml-dev
  libjsonm-ocaml-dev
  libxmlm-ocaml-dev
  libtyxml-ocaml-dev
  libctypes-ocaml-dev
  libcstruct-ocaml-dev
  libangstrom-ocaml-dev
  libbigstringaf-ocaml-dev
  libmenhir-ocaml-dev
  libocamlgraph-ocaml-dev
  libgraphics-ocaml-dev
  libocamlnet-ocaml-dev
  libpcre-ocaml-dev
  libcryptokit-ocaml-dev
  libounit-ocaml-dev
  libqcheck-ocaml-dev
  libalcotest-ocaml-dev
  libzed-ocaml-dev
  liblambda-term-ocaml-dev
  libcamomile-ocaml-dev
  libresult-ocaml-dev
  libstdcompat-ocaml-dev
  libtopkg-ocaml-dev
  libcsv-ocaml-dev
  libcalendar-ocaml-dev
  libsqlite3-ocaml-dev
  libuuidm-ocaml-dev
  libsedlex-ocaml-dev
  libeasy-format-ocaml-dev
  libbiniou-ocaml-dev
  libatdgen-ocaml-dev
  libxml-light-ocaml-dev
  libocplib-endian-ocaml-dev
  libfileutils-ocaml-dev
  libjs-of-ocaml-dev
)

# Read by the tests from their .deb, unpacked into a private findlib site
# (tests/it/visitors.rs). libppx-visitors-ocaml-dev ships empty
# visitors.ppx/META and visitors.runtime/META next to visitors/META, which
# makes Debian 12's `ocamlfind list` fail (Fl_topo.Inconsistent_ordering),
# and with it every OASIS-built project on the machine: never install it.
DEBS=(
  libppx-visitors-ocaml-dev
)
deb_dir="$(cd "$(dirname "$0")" && pwd)/debs"
mkdir -p "$deb_dir"
for p in "${DEBS[@]}"; do
  if compgen -G "$deb_dir/${p}_*.deb" >/dev/null; then
    continue
  fi
  echo "install: downloading $p into $deb_dir (read by the tests, never installed)..."
  # `apt-get download` writes into the current folder and installs nothing.
  # Without package lists yet (a fresh machine), update them first (root).
  if ! (cd "$deb_dir" && apt-get download -qq "$p" >/dev/null 2>&1); then
    if [ "$(id -u)" -eq 0 ]; then
      apt-get update -qq >/dev/null
    fi
    if ! (cd "$deb_dir" && apt-get download -qq "$p" >/dev/null 2>&1); then
      echo "install-packages.sh: could not download $p into $deb_dir" >&2
      exit 1
    fi
  fi
done

# One dpkg-query call for all packages: those reported installed are done.
# (dpkg-query fails when it knows some name not at all: that is fine.)
installed=" $({ dpkg-query -W -f='${Package} ${Status}\n' "${PACKAGES[@]}" 2>/dev/null || true; } \
  | awk '$4 == "installed" { print $1 }' | tr '\n' ' ') "
missing=()
for p in "${PACKAGES[@]}"; do
  case "$installed" in
    *" $p "*) ;;
    *) missing+=("$p") ;;
  esac
done

if [ "${#missing[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  echo "install-packages.sh: ${#missing[@]} packages missing and not root: ${missing[*]}" >&2
  exit 1
fi

export DEBIAN_FRONTEND=noninteractive
echo "install: ${#missing[@]} OCaml library packages for the findlib comparison are missing: ${missing[*]}"
echo "install: updating the package lists (apt-get update)..."
apt-get update -qq >/dev/null
echo "install: installing the ${#missing[@]} library packages (apt-get install; a few minutes)..."
if ! apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null 2>&1; then
  # One unavailable package must not keep the others out: retry one by one.
  for p in "${missing[@]}"; do
    apt-get install -y -qq --no-install-recommends "$p" >/dev/null 2>&1 \
      || echo "install-packages.sh: could not install $p" >&2
  done
fi
echo "install: done"
