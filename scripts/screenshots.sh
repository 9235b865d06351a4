#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Renders the console against ndes-lab under Xvfb to PNG files in docs/screenshots/ (or $1):
# the main window on each page, a challenge password just generated, and helpdesk mode.
# Runs inside a private D-Bus session with GNOME Keyring so the lab account's password sits in a real keychain.
set -euo pipefail
cd "$(dirname "$0")/.."
out="$(realpath -m "${1:-docs/screenshots}")"
mkdir -p "$out"
[ -x build/dev/app/ndes-console/ndes-console ] || bash scripts/build.sh dev >/dev/null
BIN="$PWD/build/dev"
exec tests/support/with-keyring.sh bash -c '
set -euo pipefail
BIN="$1"; out="$2"
work="$(mktemp -d)"
umask 077
pw="Helpdesk-$RANDOM$RANDOM"
printf "LAB\\\\helpdesk:%s:enroll\nLAB\\\\guest:%s:noenroll\n" "$pw" "$pw" > "$work/users.txt"
# The labs get SIGTERM and are waited for (polled: they are not children of this shell), so each removes its
# temporary NTLM user file, which holds the passwords of the accounts, before $work goes.
stop_labs() {
    local pids
    pids="$(cat "$work/pids" 2>/dev/null)" || return 0
    [ -n "$pids" ] || return 0
    kill -TERM $pids 2>/dev/null || return 0
    for _ in $(seq 1 100); do kill -0 $pids 2>/dev/null || return 0; sleep 0.1; done
}
trap "stop_labs; rm -rf \"\$work\"" EXIT
# Several labs in different states, all on loopback, so the Overview shows what an admin meets.
start_lab() { # name, then ndes-lab options
    local name="$1"; shift
    "$BIN/lab/ndes-lab" --listen 127.0.0.1:0 --state "$work/state-$name" --users "$work/users.txt" "$@" > "$work/$name.out" 2>&1 &
    echo $! >> "$work/pids" # start_lab runs in $(...): a file, not a variable, carries the pid out
    for _ in $(seq 1 100); do grep -q "^listening " "$work/$name.out" && break; sleep 0.1; done
    awk "/^listening /{print \$2; exit}" "$work/$name.out"
}
base="$(start_lab lab)"
paris="$(start_lab paris --ra-days 20 --host NDESPAR)"
lyon="$(start_lab lyon --fault app-pool-stopped --host NDESLYO)"
berlin="$(start_lab berlin --caps POSTPKIOperation,DES3,SHA-1 --fault stale-crl --host NDESBER)"
madrid="$(start_lab madrid --ra-days 5 --host NDESMAD)"
rome="$(start_lab rome --fault template-missing --host NDESROM)"
closed_port="$(python3 -c "import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])")"
profile() { # id, name, site, base URL
    printf "{\"id\": \"%s\", \"name\": \"%s\", \"site\": \"%s\", \"scepUrl\": \"%s/certsrv/mscep/mscep.dll\", \"adminUrl\": \"%s/certsrv/mscep_admin/\", \"auth\": \"ntlm\", \"user\": \"LAB\\\\\\\\helpdesk\", \"allowHttp\": true}" "$1" "$2" "$3" "$4" "$4"
}
{
    printf "{\"version\": 1, \"servers\": [\n"
    profile lab Lab "ndes-lab on this machine" "$base"; printf ",\n"
    profile paris "NDES Paris" Paris "$paris"; printf ",\n"
    profile lyon "NDES Lyon" Lyon "$lyon"; printf ",\n"
    profile berlin "NDES Berlin" Berlin "$berlin"; printf ",\n"
    profile madrid "NDES Madrid" Madrid "$madrid"; printf ",\n"
    profile rome "NDES Rome" Rome "$rome"; printf ",\n"
    profile oslo "NDES Oslo" Oslo "http://127.0.0.1:$closed_port"
    printf "]}\n"
} > "$work/inventory.json"
for id in lab paris lyon berlin madrid rome oslo; do
    printf "%s\n" "$pw" | "$BIN/app/ndesctl/ndesctl" keychain set "server/$id" --password-stdin >/dev/null
done
export XDG_CONFIG_HOME="$work/config"
run() { xvfb-run -a -s "-screen 0 1440x900x24" "$BIN/app/ndes-console/ndes-console" --inventory "$work/inventory.json" --audit-trail "$work/audit.jsonl" "$@"; }
run --page servers --screenshot "$out/servers.png"
run --page challenge --generate --screenshot "$out/challenge-password.png"
run --page overview --screenshot "$out/overview.png"
run --helpdesk --generate --screenshot "$out/helpdesk.png"
run --page test --run-test Lab --screenshot "$out/enrollment-test-passed.png"
run --page test --run-test "NDES Rome" --screenshot "$out/enrollment-test-failed.png"
# Events live: the console listens, a lab streams its events as syslog while devices and helpdesk staff use it.
ev_port="$(python3 -c "import socket; s=socket.socket(); s.bind((\"127.0.0.1\", 0)); print(s.getsockname()[1])")"
run --page events --listen "syslog://127.0.0.1:$ev_port" --wait-events 8 --select-event 31 \
    --screenshot "$out/events-live.png" &
console_pid=$!
events_base="$(start_lab events --host NDES01 --syslog "127.0.0.1:$ev_port")"
sleep 1
NDES_LAB_PASSWORD="$pw" bash scripts/lab-traffic.sh "$events_base" "$BIN/app/ndesctl/ndesctl" "LAB\\helpdesk" "LAB\\guest"
wait "$console_pid"
# Events from a file: a forwarded NDES event (wevtutil's XML of a ForwardedEvents log) with its rendered message.
run --page events --open-events docs/examples/forwarded-events.xml --wait-events 2 --select-event 31 \
    --screenshot "$out/events-forwarded.png"
# The setup wizard, every page, from the example plan; then the registry page with an error and a warning.
i=0
for name in environment service-account template registry iis role review; do
    run --setup-wizard --plan docs/examples/plan.json --wizard-page "$i" --screenshot "$out/setup-$i-$name.png"
    i=$((i + 1))
done
python3 -c "
import json, sys
p = json.load(open(\"docs/examples/plan.json\"))
p[\"registry\"][\"generalPurposeTemplate\"] = \"ndes-networkdevice\"
p[\"registry\"][\"passwordValidity\"] = 60
json.dump(p, open(sys.argv[1], \"w\"))" "$work/plan-issues.json"
run --setup-wizard --plan "$work/plan-issues.json" --wizard-page 3 --screenshot "$out/setup-3-registry-issues.png"
# The Audit page in auditor mode: the real files of a Windows NDES server, and the lab as the collector finds it
# under faults.
mkdir -p "$work/real"
cp tests/data/ndes-manual-installation/MSCEP.reg tests/data/ndes-manual-installation/ws2019/applicationHost.config "$work/real/"
run --auditor --open-audit "$work/real" --select-finding password-validity-long --screenshot "$out/audit-real-files.png"
"$BIN/lab/ndes-lab" snapshot --out "$work/lab-snapshot" --state "$work/state-snapshot" --fault ra-expired \
    --single-password --password-max 60 > /dev/null
run --auditor --open-audit "$work/lab-snapshot" --select-finding ra-expired --screenshot "$out/audit-lab-faults.png"
ls -1 "$out"
' bash "$BIN" "$out"
