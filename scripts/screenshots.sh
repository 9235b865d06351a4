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
work="$(mktemp -d)"; lab_pid=""
trap "[ -n \"\$lab_pid\" ] && kill \$lab_pid 2>/dev/null; rm -rf \"\$work\"" EXIT
umask 077
pw="Helpdesk-$RANDOM$RANDOM"
printf "LAB\\\\helpdesk:%s:enroll\n" "$pw" > "$work/users.txt"
"$BIN/lab/ndes-lab" --listen 127.0.0.1:0 --state "$work/state" --users "$work/users.txt" > "$work/lab.out" 2>&1 &
lab_pid=$!
for _ in $(seq 1 100); do grep -q "^listening " "$work/lab.out" && break; sleep 0.1; done
base="$(awk "/^listening /{print \$2; exit}" "$work/lab.out")"
cat > "$work/inventory.json" <<JSON
{"version": 1, "servers": [
 {"id": "lab", "name": "Lab", "site": "ndes-lab on this machine", "scepUrl": "$base/certsrv/mscep/mscep.dll",
  "adminUrl": "$base/certsrv/mscep_admin/", "auth": "ntlm", "user": "LAB\\\\helpdesk", "allowHttp": true},
 {"id": "paris", "name": "NDES Paris", "site": "Paris", "scepUrl": "https://ndes-par.corp.example/certsrv/mscep/mscep.dll",
  "adminUrl": "https://ndes-par.corp.example/certsrv/mscep_admin/", "auth": "negotiate"}]}
JSON
printf "%s\n" "$pw" | "$BIN/app/ndesctl/ndesctl" keychain set server/lab --password-stdin >/dev/null
export XDG_CONFIG_HOME="$work/config"
run() { xvfb-run -a -s "-screen 0 1440x900x24" "$BIN/app/ndes-console/ndes-console" --inventory "$work/inventory.json" --audit-trail "$work/audit.jsonl" "$@"; }
run --page servers --screenshot "$out/servers.png"
run --page challenge --generate --screenshot "$out/challenge-password.png"
run --page overview --screenshot "$out/overview.png"
run --helpdesk --generate --screenshot "$out/helpdesk.png"
ls -1 "$out"
' bash "$BIN" "$out"
