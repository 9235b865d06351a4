#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs what is missing, builds the release preset and makes the Debian package (CPack, packaging/Packaging.cmake):
# build/packages/ndes-console_<version>_amd64.deb. Install it with: sudo apt install ./build/packages/ndes-console_*.deb
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh release
rm -rf build/packages
(cd build/release && cpack -G DEB -B "$PWD/../packages" >/dev/null)
rm -rf build/packages/_CPack_Packages
deb="$(ls build/packages/ndes-console_*.deb)"
dpkg-deb --field "$deb" Package Version Depends
echo "$deb"
