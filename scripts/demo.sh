#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# README command 1: install what is missing, build, start the embedded NDES lab, show ndesctl at work
# against it, then open the console with a "Lab" server ready (rendered to PNG under Xvfb without a display).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh demo # what the demo needs, not the test tools
bash scripts/build.sh demo ndes-console ndesctl ndes-lab # only what it runs, without debug information
BIN="$PWD/build/demo"
NDESCTL="$BIN/app/ndesctl/ndesctl"

work="$(mktemp -d)"
lab_pid=""
# SIGTERM, then wait: the lab removes its temporary NTLM user file (the accounts' passwords) before it exits.
trap 'if [ -n "$lab_pid" ]; then kill -TERM "$lab_pid" 2>/dev/null; wait "$lab_pid" 2>/dev/null || true; fi
      rm -rf "$work"' EXIT
# Demo accounts for the admin page (the file must be private, as the lab insists).
umask 077
demo_password="Demo-$RANDOM$RANDOM"
printf 'LAB\\helpdesk:%s:enroll\nLAB\\guest:%s:noenroll\n' "$demo_password" "$demo_password" >"$work/users.txt"
# The lab streams its events as syslog to the console's Events page (it keeps them until the console listens).
ev_port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
"$BIN/lab/ndes-lab" --listen 127.0.0.1:0 --state "$work/state" --users "$work/users.txt" \
    --events-xml "$work/events.xml" --syslog "127.0.0.1:$ev_port" --host NDES01 >"$work/lab.out" 2>"$work/lab.err" &
lab_pid=$!
for _ in $(seq 1 100); do grep -q '^listening ' "$work/lab.out" 2>/dev/null && break; sleep 0.1; done
base="$(awk '/^listening /{print $2; exit}' "$work/lab.out")"
[ -n "$base" ] || { echo "ndes-lab did not start:"; cat "$work/lab.err"; exit 1; }
scep="$base/certsrv/mscep/mscep.dll"
admin="$base/certsrv/mscep_admin/"

step() { printf '\n\033[1m== %s\033[0m\n$ %s\n' "$1" "$2"; }
# A password goes to curl on stdin as a config line (-K -), never on its command line, where ps shows it.
curl_user_config() { # USER:PASSWORD -> curl's `user = "..."`, with \ and " escaped
    local s="${1//\\/\\\\}"
    s="${s//\"/\\\"}"
    printf 'user = "%s"\n' "$s"
}

echo "ndes-lab, an NDES emulator, is listening at $base"
step "What the NDES server offers" "ndesctl caps --url $scep"
"$NDESCTL" caps --url "$scep"

step "Its CA chain and the two RA certificates" "ndesctl cacert --url $scep"
"$NDESCTL" cacert --url "$scep"

step "Health and expiry, as a monitoring plugin reports it (exit 0 OK, 1 WARNING, 2 CRITICAL)" \
     "ndesctl check --url $scep"
"$NDESCTL" check --url "$scep" || true

step "An end-to-end enrollment test, then the same with a template the CA refuses (diagnosis ranked)" \
     "ndesctl test --url $scep --admin-url $admin --user 'LAB\\helpdesk' --password-env NDES_DEMO_PASSWORD"
NDES_DEMO_PASSWORD="$demo_password" "$NDESCTL" test --url "$scep" --admin-url "$admin" --user 'LAB\helpdesk' \
    --password-env NDES_DEMO_PASSWORD --allow-http
curl -s -X POST "$base/ndes-lab/control/fault?set=template-missing" >/dev/null
NDES_DEMO_PASSWORD="$demo_password" "$NDESCTL" test --url "$scep" --admin-url "$admin" --user 'LAB\helpdesk' \
    --password-env NDES_DEMO_PASSWORD --allow-http || true
curl -s -X POST "$base/ndes-lab/control/fault?set=none" >/dev/null

step "A one-time challenge password from the admin page (NTLM, as helpdesk staff get it)" \
     "curl --ntlm -u 'LAB\\helpdesk:***' $admin"
page="$(curl_user_config "LAB\\helpdesk:$demo_password" | curl -sS --ntlm -K - "$admin" | iconv -f UTF-16LE -t UTF-8)"
challenge="$(printf '%s' "$page" | grep -o 'challenge password is: <B> [0-9A-F]* </B>' | awk '{print $5}')"
printf '%s\n' "$page" | grep -o 'The thumbprint[^<]*<B>[^<]*</B>\|This password can be used only once[^<]*' || true
echo "(password received: ${#challenge} hex characters; not shown)"

step "Enroll like a device (challenge from an environment variable, never argv)" \
     "ndesctl enroll --url $scep --subject 'CN=demo-router,O=NDES Console demo' --san-dns demo-router.example.test --key-out demo.key --cert-out demo.pem --challenge-env NDES_DEMO_CHALLENGE"
NDES_DEMO_CHALLENGE="$challenge" "$NDESCTL" enroll --url "$scep" --subject "CN=demo-router,O=NDES Console demo" \
    --san-dns demo-router.example.test --key-out "$work/demo.key" --cert-out "$work/demo.pem" \
    --challenge-env NDES_DEMO_CHALLENGE

step "Check the certificate with OpenSSL" "openssl verify -CAfile lab-chain.pem demo.pem"
cat "$work/state/issuing-ca.pem" "$work/state/root-ca.pem" >"$work/chain.pem"
openssl verify -CAfile "$work/chain.pem" "$work/demo.pem"

step "The same password again: NDES refuses it (single use)" "ndesctl enroll ... (same password)"
set +e
NDES_DEMO_CHALLENGE="$challenge" "$NDESCTL" enroll --url "$scep" --subject "CN=demo-router-2" \
    --key-out "$work/x.key" --cert-out "$work/x.pem" --challenge-env NDES_DEMO_CHALLENGE
echo "exit code: $?  (1 = the server refused)"
set -e

step "A bad morning on that server: a refused template, a wrong password, an account without Enroll, garbage" \
     "scripts/lab-traffic.sh"
NDES_LAB_PASSWORD="$demo_password" bash scripts/lab-traffic.sh "$base" "$NDESCTL" 'LAB\helpdesk' 'LAB\guest'

step "The events NDES logged, explained (Windows Event XML; .evtx files work the same)" \
     "ndesctl events events.xml --provider NetworkDeviceEnrollmentService --id 31"
"$NDESCTL" events "$work/events.xml" --provider NetworkDeviceEnrollmentService --id 31 | head -n 3
event_count="$(grep -c '<EventID>' "$work/events.xml")"

step "An auditor's view: the lab as the collector would find it on Windows, audited (evidence, remedy; exit 2 = high)" \
     "ndes-lab snapshot --state state --out snapshot --users users.txt --fault ra-expired; ndesctl audit --snapshot snapshot --html audit.html"
"$BIN/lab/ndes-lab" snapshot --state "$work/state" --out "$work/snapshot" --users "$work/users.txt" --host NDES01 \
    --fault ra-expired >/dev/null
"$NDESCTL" audit --snapshot "$work/snapshot" --html "$work/audit.html" | head -n 16 || true
echo "(the full report: $work/audit.html)"

# The console, with a "Lab" server profile ready (NTLM as LAB\helpdesk; its password in a keychain).
cat >"$work/inventory.json" <<JSON
{"version": 1, "servers": [
 {"id": "lab", "name": "Lab", "site": "ndes-lab on this machine", "scepUrl": "$scep", "adminUrl": "$admin",
  "auth": "ntlm", "user": "LAB\\\\helpdesk", "allowHttp": true}]}
JSON
console_args=(--inventory "$work/inventory.json" --audit-trail "$work/audit.jsonl")
if [ -n "${DISPLAY:-}${WAYLAND_DISPLAY:-}" ]; then
    step "NDES Console, pointed at the lab" "ndes-console --listen syslog://127.0.0.1:$ev_port --page events"
    echo "The console runs with its own throw-away keychain; close its window to end the demo."
    echo "Events (Ctrl+5) shows the lab's events live, each explained; Challenge passwords (Ctrl+3) hands out one."
    echo "Enroll from another terminal (ndesctl enroll --url $scep ...) and watch the events arrive."
    NDES_DEMO_PASSWORD="$demo_password" tests/support/with-keyring.sh bash -c '
        printf "%s\n" "$NDES_DEMO_PASSWORD" | "$0" keychain set server/lab --password-stdin >/dev/null
        unset NDES_DEMO_PASSWORD
        exec "$@"' "$NDESCTL" "$BIN/app/ndes-console/ndes-console" "${console_args[@]}" --page events \
        --listen "syslog://127.0.0.1:$ev_port"
else
    step "NDES Console (no display here: rendered under Xvfb to PNG)" "xvfb-run ndes-console --generate --screenshot ..."
    shots="$PWD/build/demo-screenshots"
    mkdir -p "$shots"
    NDES_DEMO_PASSWORD="$demo_password" tests/support/with-keyring.sh bash -c '
        printf "%s\n" "$NDES_DEMO_PASSWORD" | "$0" keychain set server/lab --password-stdin >/dev/null
        unset NDES_DEMO_PASSWORD
        shots="$1"; shift
        xvfb-run -a -s "-screen 0 1440x900x24" "$@" --generate --screenshot "$shots/console.png"
        xvfb-run -a -s "-screen 0 1440x900x24" "$@" --helpdesk --generate --screenshot "$shots/helpdesk.png"
        ' "$NDESCTL" "$shots" "$BIN/app/ndes-console/ndes-console" "${console_args[@]}" --page challenge
    xvfb-run -a -s "-screen 0 1440x900x24" "$BIN/app/ndes-console/ndes-console" "${console_args[@]}" --page events \
        --listen "syslog://127.0.0.1:$ev_port" --wait-events "$event_count" --select-event 31 \
        --screenshot "$shots/events.png"
    echo "Open $shots/console.png and $shots/helpdesk.png to see the console with a fresh challenge password,"
    echo "and $shots/events.png for the lab's events as they streamed in, explained."
fi

cat <<'TXT'

That was NDES Console against ndes-lab, its NDES emulator. In the console: Overview (health and expiry of
every server), Servers, Challenge passwords, Enrollment test (with a load test), Events (live from the lab, or
open .evtx files), and Tools > NDES setup wizard (a checked plan turned into .reg and PowerShell; headless:
ndesctl plan --in docs/examples/plan.json --out DIR). For auditors: ndesctl collector saves the read-only
collector to run on an NDES server; ndesctl audit --snapshot ZIP turns what it gathers into findings and reports.
TXT
