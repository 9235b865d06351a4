#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Console figures against ndes-lab on loopback (issue 4): click to password shown with NTLM (median), console
# start to first window, and idle RSS (/usr/bin/time -v). Usage: bench/console-bench.sh [RUNS=30]
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-30}"
bash scripts/build.sh release >/dev/null
BIN="$PWD/build/release"
work="$(mktemp -d)"; lab_pid=""
trap 'if [ -n "$lab_pid" ]; then kill -TERM "$lab_pid" 2>/dev/null; wait "$lab_pid" 2>/dev/null || true; fi
      rm -rf "$work"' EXIT
umask 077
pw="Bench-$RANDOM$RANDOM"
printf 'LAB\\bench:%s:enroll\n' "$pw" >"$work/users.txt"
"$BIN/lab/ndes-lab" --listen 127.0.0.1:0 --state "$work/state" --users "$work/users.txt" --password-max 100000 >"$work/lab.out" 2>&1 &
lab_pid=$!
for _ in $(seq 1 100); do grep -q '^listening ' "$work/lab.out" && break; sleep 0.1; done
base="$(awk '/^listening /{print $2; exit}' "$work/lab.out")"
printf '%s\n' "$pw" | QT_QPA_PLATFORM=offscreen "$BIN/bench/console_bench" "$base/certsrv/mscep_admin/" "$base/certsrv/mscep/mscep.dll" 'LAB\bench' "$runs"

# Start to first window, and memory after the window is up and idle (1 s), under Xvfb.
cat >"$work/inventory.json" <<JSON
{"version": 1, "servers": [{"id": "lab", "name": "Lab", "scepUrl": "$base/certsrv/mscep/mscep.dll", "adminUrl": "$base/certsrv/mscep_admin/", "auth": "none", "allowHttp": true}]}
JSON
starts=()
for i in 1 2 3 4 5; do
    t0=$(date +%s%3N)
    out=$(XDG_CONFIG_HOME="$work/cfg" NDES_CONSOLE_REPORT_STARTUP=1 xvfb-run -a -s "-screen 0 1440x900x24" \
          /usr/bin/time -v "$BIN/app/ndes-console/ndes-console" --inventory "$work/inventory.json" \
          --audit-trail "$work/audit.jsonl" --screenshot "$work/shot.png" 2>&1)
    shown=$(printf '%s\n' "$out" | awk '/first window shown at/{print $NF}')
    rss=$(printf '%s\n' "$out" | awk -F: '/Maximum resident set size/{gsub(/ /,"",$2); print $2}')
    starts+=("$((shown - t0)) $rss")
done
printf '%s\n' "${starts[@]}" | sort -n | awk '{a[NR]=$1; r[NR]=$2} END {m=int((NR+1)/2); printf "console start to first window (incl. xvfb-run): median %d ms; max RSS %.1f MB (targets <= 500 ms, <= 120 MB)\n", a[m], r[m]/1024}'
