#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# README command 1: install what is missing, build, and show ndesctl at work against a local SCEP server.
# Until the console (ndes-console) and the NDES emulator (ndes-lab) exist, the demo is ndesctl caps, cacert
# and enroll against a throw-away micromdm scepserver on loopback.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh
bash scripts/build.sh release
NDESCTL="$PWD/build/release/app/ndesctl/ndesctl"

. scripts/lib-scepserver.sh
work="$(mktemp -d)"
trap 'stop_scepserver; rm -rf "$work"' EXIT
NDES_DEMO_CHALLENGE="demo-$RANDOM$RANDOM"
export NDES_DEMO_CHALLENGE
start_scepserver "$work" "$NDES_DEMO_CHALLENGE"

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "$2"; }

step "What the server offers" "ndesctl caps --url $SCEP_URL"
"$NDESCTL" caps --url "$SCEP_URL"

step "Its CA and RA certificates" "ndesctl cacert --url $SCEP_URL --out $work/ca"
"$NDESCTL" cacert --url "$SCEP_URL" --out "$work/ca"

step "Enroll like a device (challenge from an environment variable, never argv)" \
     "ndesctl enroll --url $SCEP_URL --subject 'CN=demo-router,O=NDES Console demo' --san-dns demo-router.example.test --key-out $work/demo.key --cert-out $work/demo.pem --challenge-env NDES_DEMO_CHALLENGE"
"$NDESCTL" enroll --url "$SCEP_URL" --subject "CN=demo-router-$RANDOM,O=NDES Console demo" \
    --san-dns demo-router.example.test --key-out "$work/demo.key" --cert-out "$work/demo.pem" \
    --challenge-env NDES_DEMO_CHALLENGE

step "Check the certificate with OpenSSL" "openssl verify -CAfile ca.pem demo.pem"
openssl verify -CAfile "$work/ca/ca.pem" "$work/demo.pem"

step "A wrong challenge password" "ndesctl enroll ... (wrong challenge)"
set +e
WRONG=wrong "$NDESCTL" enroll --url "$SCEP_URL" --subject "CN=demo-denied-$RANDOM" --key-out "$work/x.key" \
    --cert-out "$work/x.pem" --challenge-env WRONG
echo "exit code: $?  (1 = the server refused)"
set -e

cat <<'TXT'

That was ndesctl, the command-line half of NDES Console. Coming next: ndes-lab (an NDES emulator with RA
certificates, the admin page and its one-time passwords) and the desktop console itself; this command will
then start the console against the embedded lab.
TXT
