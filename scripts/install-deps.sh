#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian 12 packages NDES Console needs to build and test; only what is missing.
set -euo pipefail

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
)

missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ ${#missing[@]} -eq 0 ]; then
    echo "install-deps: all packages present"
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
