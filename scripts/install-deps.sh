#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs the Debian 12 packages NDES Console needs, only what is missing: `demo` what building the programs and
# running the demo need, `all` (the default) that and what the tests need.
set -euo pipefail
cd "$(dirname "$0")/.."

# What building the programs and running the demo need (scripts/demo.sh installs only these).
DEMO_PACKAGES=(
    build-essential cmake ninja-build ccache pkg-config git curl python3
    qt6-base-dev qt6-base-dev-tools libqt6opengl6-dev qt6-charts-dev qt6-qpa-plugins libqt6svg6
    libssl-dev openssl zlib1g-dev libkrb5-dev gss-ntlmssp gss-ntlmssp-dev libcurl4-openssl-dev libqrencode-dev
    libldap-dev libsasl2-dev libsasl2-modules-gssapi-mit
    qtkeychain-qt6-dev gnome-keyring dbus dbus-x11
    xvfb xauth fonts-dejavu-core
)
# What the tests add: the real peers (scepserver, a KDC, rsyslog, certmonger, a Samba AD domain controller with
# ldapsearch to read back what we write), the sanitizer and fuzzer runtimes, the formatter, the EVTX reference
# readers, the packaging checks, and Node for the PowerShell parser. Samba comes without its recommended NSS and PAM
# modules (libnss-winbind, libpam-winbind): nothing changes how this machine looks up users or logs them in.
TEST_PACKAGES=(
    scep clang libclang-rt-14-dev clang-format clang-tidy hyperfine
    krb5-kdc krb5-admin-server krb5-user certmonger libsecret-tools time bsdutils
    samba samba-ad-dc samba-ad-provision ldap-utils
    libevtx-utils python3-evtx rsyslog desktop-file-utils appstream file imagemagick
)
PACKAGES=("${DEMO_PACKAGES[@]}")
mode="${1:-all}"
case "$mode" in
demo) ;;
all) PACKAGES+=("${TEST_PACKAGES[@]}") ;;
*)
    echo "usage: install-deps.sh [demo|all]" >&2
    exit 2
    ;;
esac

# Daemons whose programs the tests run themselves, from temporary folders, on loopback ports. Installing their
# packages would start and enable the system's own instances (a KDC, kadmind, a syslog daemon, certmonger, Samba's
# file sharing smbd/nmbd, its domain controller and winbindd): the ones this script installs are neither started nor
# enabled. Ones already installed are left as they are. Each entry: package=its systemd units.
DAEMONS=(krb5-kdc=krb5-kdc krb5-admin-server=krb5-admin-server rsyslog=rsyslog certmonger=certmonger
    samba=smbd,nmbd,samba-ad-dc samba-ad-dc=samba-ad-dc winbind=winbind)

missing=()
for p in "${PACKAGES[@]}"; do
    if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
        missing+=("$p")
    fi
done

if [ "$mode" = all ] && { ! command -v node >/dev/null || ! command -v npm >/dev/null; }; then
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
    [ "$mode" = all ] && install_ps_syntax
    exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || { echo "install-deps: run as root or install sudo" >&2; exit 1; }
    SUDO="sudo"
fi
# winbind comes in as a dependency of samba-ad-dc: count it when it is not installed yet.
dpkg-query -W -f='${Status}' winbind 2>/dev/null | grep -q "install ok installed" || [[ " ${missing[*]} " != *" samba-ad-dc "* ]] || missing_dep_winbind=1
new_daemons=()
for d in "${DAEMONS[@]}"; do
    pkg="${d%%=*}"
    units="${d#*=}"
    for p in "${missing[@]}" ${missing_dep_winbind:+winbind}; do
        [ "$p" = "$pkg" ] && new_daemons+=(${units//,/ })
    done
done
if [ ${#new_daemons[@]} -gt 0 ]; then
    mapfile -t new_daemons < <(printf '%s\n' "${new_daemons[@]}" | sort -u)
fi
# invoke-rc.d asks policy-rc.d before starting a service; 101 means "not now". Only for these daemons, and only
# when no policy is in place (the file goes when the install ends).
policy=""
if [ ${#new_daemons[@]} -gt 0 ] && [ ! -e /usr/sbin/policy-rc.d ]; then
    policy=/usr/sbin/policy-rc.d
    # Removed however the install ends (error, Ctrl-C, a closed terminal).
    trap '$SUDO rm -f "$policy"' EXIT
    trap 'exit 130' INT TERM HUP
    # On systemd, deb-systemd-invoke asks with the unit's name ("smbd.service"); invoke-rc.d with the script's.
    pattern=""
    for d in "${new_daemons[@]}"; do pattern="${pattern:+$pattern|}$d|$d.service"; done
    {
        printf '#!/bin/sh\n# ndes-console install-deps: the test daemons do not start while packages install\n'
        printf 'for a in "$@"; do case "$a" in %s) exit 101 ;; esac; done\nexit 0\n' "$pattern"
    } | $SUDO tee "$policy" >/dev/null
    $SUDO chmod 755 "$policy"
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -qq
$SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
[ -n "$policy" ] && $SUDO rm -f "$policy"
if [ ${#new_daemons[@]} -gt 0 ]; then
    # Not enabled at boot either; stopped in case a policy already in place let them start. One at a time: a unit
    # that does not exist (samba-ad-dc is masked on a file server) must not keep the others enabled. Without a
    # systemctl (a minimal container or chroot) the packages' scripts still linked them into the boot targets: unlinked.
    for u in "${new_daemons[@]}"; do
        if command -v systemctl >/dev/null; then
            $SUDO systemctl disable --now "$u" >/dev/null 2>&1 || $SUDO systemctl disable "$u" >/dev/null 2>&1 || true
        else
            $SUDO find /etc/systemd/system -path '*.wants/*' -name "$u.service" -type l -delete 2>/dev/null || true
        fi
        # The SysV links, for an init other than systemd.
        if [ -e "/etc/init.d/$u" ] && command -v update-rc.d >/dev/null; then
            $SUDO update-rc.d "$u" disable >/dev/null 2>&1 || true
        fi
    done
    echo "install-deps: ${new_daemons[*]} installed for the tests, not started, not enabled"
fi
[ "$mode" = all ] && install_ps_syntax
exit 0
