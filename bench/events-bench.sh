#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Event viewer figures (issue 7), release build:
#  - EVTX read rate of NDES Console's reader against libevtx's own evtxexport (XML output, to /dev/null) on the
#    same real logs (tests/data/evtx), each REPEAT times; the ratio printed is ours / evtxexport;
#  - a store of N synthetic events: bytes per event and the latency of each filter (target: <= 200 ms at 1 M).
# Usage: bench/events-bench.sh [REPEAT=20] [N=1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
repeat="${1:-20}"; n="${2:-1000000}"
bash scripts/build.sh release >/dev/null
BIN="$PWD/build/release"
files=(tests/data/evtx/*.evtx)
ours=$("$BIN/bench/events_bench" evtx "$repeat" "${files[@]}")
echo "$ours"
start=$(date +%s%N)
events=0
for _ in $(seq 1 "$repeat"); do
    for f in "${files[@]}"; do
        c=$(evtxexport -m all -f xml "$f" 2>/dev/null | grep -c '<Event ' || true)
        events=$((events + c))
    done
done
secs=$(awk -v s="$start" -v e="$(date +%s%N)" 'BEGIN{printf "%.3f", (e-s)/1e9}')
theirs=$(awk -v n="$events" -v s="$secs" 'BEGIN{printf "%.0f", n/s}')
echo "evtxexport -m all -f xml: $events events in $secs s = $theirs events/s"
rate=$(echo "$ours" | awk '{print $(NF-1)}')
awk -v a="$rate" -v b="$theirs" 'BEGIN{printf "ratio (ndes-console / evtxexport): %.2f\n", a/b}'
/usr/bin/time -f "store bench: max RSS %M kB" "$BIN/bench/events_bench" store "$n"
QT_QPA_PLATFORM=offscreen "$BIN/bench/events_view_bench" "$n"
