#!/usr/bin/env bash
# Installs Debian packages that are missing, and only those (no apt call at
# all when everything is there), saying what it does before each step: a
# fresh machine waits minutes here. Usage: scripts/install-packages.sh PKG...
set -euo pipefail

missing=()
for pkg in "$@"; do
  if ! dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$pkg")
  fi
done
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" -eq 0 ]; then
  sudo=()
elif command -v sudo >/dev/null 2>&1; then
  sudo=(sudo)
else
  echo "error: these Debian packages are missing and I am not root: ${missing[*]}" >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
echo "install: ${#missing[@]} Debian packages are missing: ${missing[*]}"
echo "install: updating the package lists (apt-get update)..."
"${sudo[@]}" apt-get update -qq
echo "install: installing ${missing[*]} (apt-get install; a few minutes on a fresh machine)..."
"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "install: done"
