#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian 12 packages NDES Console needs to build and test; only what is missing.
set -euo pipefail
cd "$(dirname "$0")/.."

PACKAGES=(
    build-essential cmake ninja-build ccache pkg-config git curl python3
    qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev qt6-charts-dev
    libssl-dev openssl
    scep
    clang libclang-rt-14-dev clang-format clang-tidy
    hyperfine
    libkrb5-dev gss-ntlmssp gss-ntlmssp-dev krb5-kdc krb5-admin-server krb5-user certmonger dbus
    libcurl4-openssl-dev libqrencode-dev qtkeychain-qt6-dev gnome-keyring libsecret-tools dbus-x11
    xvfb xauth imagemagick fonts-dejavu-core time qt6-qpa-plugins bsdutils
    libevtx-dev libbfio-dev libevtx-utils python3-evtx rsyslog
    libqt6svg6 desktop-file-utils appstream
)

missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if ! command -v node >/dev/null || ! command -v npm >/dev/null; then
    missing+=(nodejs npm)
fi

# The PowerShell syntax checker (tree-sitter-powershell, pinned in tools/ps-syntax/package-lock.json).
install_ps_syntax() {
    if [ ! -d tools/ps-syntax/node_modules/tree-sitter-powershell ]; then
        echo "install-deps: npm ci in tools/ps-syntax"
        (cd tools/ps-syntax && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error)
    fi
}

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all packages present"
    install_ps_syntax
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
    SUDO="sudo"
fi
echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
install_ps_syntax
