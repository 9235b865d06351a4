#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Event viewer figures (issues 7 and 20), release build:
#  - EVTX read rate of NDES Console's reader against libevtx's own evtxexport (XML output, counted) on the same real
#    logs (tests/data/evtx), both on one core (taskset -c 0), each REPEAT times; the ratio printed is ours /
#    evtxexport. Then ours on every core.
#  - a big log (BIG_MB, default 1024, made from a real one by bench/make-big-evtx.py): time and peak memory of ours
#    on one core and on all, and of evtxexport on one core;
#  - a store of N synthetic events: bytes per event and the latency of each filter (target: <= 200 ms at 1 M).
# Usage: bench/events-bench.sh [REPEAT=20] [N=1000000]
set -euo pipefail
cd "$(dirname "$0")/.."
repeat="${1:-20}"; n="${2:-1000000}"; big_mb="${BIG_MB:-1024}"
bash scripts/build.sh release >/dev/null
BIN="$PWD/build/release"
files=(tests/data/evtx/*.evtx)
ours=$(EVTX_THREADS=1 taskset -c 0 "$BIN/bench/events_bench" evtx "$repeat" "${files[@]}")
echo "one core: $ours"
start=$(date +%s%N)
events=0
for _ in $(seq 1 "$repeat"); do
    for f in "${files[@]}"; do
        c=$(taskset -c 0 evtxexport -m all -f xml "$f" 2>/dev/null | grep -c '<Event ' || true)
        events=$((events + c))
    done
done
secs=$(awk -v s="$start" -v e="$(date +%s%N)" 'BEGIN{printf "%.3f", (e-s)/1e9}')
theirs=$(awk -v n="$events" -v s="$secs" 'BEGIN{printf "%.0f", n/s}')
echo "one core: evtxexport -m all -f xml: $events events in $secs s = $theirs events/s"
rate=$(echo "$ours" | awk '{print $(NF-1)}')
awk -v a="$rate" -v b="$theirs" 'BEGIN{printf "ratio on one core (ndes-console / evtxexport): %.1f\n", a/b}'
echo "all cores ($(nproc)): $("$BIN/bench/events_bench" evtx "$repeat" "${files[@]}")"

big="$(mktemp -d)/big.evtx"
trap 'rm -rf "$(dirname "$big")"' EXIT
python3 bench/make-big-evtx.py tests/data/evtx/system.evtx "$big" "$big_mb"
echo "big log: $(du -m "$big" | cut -f1) MB"
EVTX_THREADS=1 /usr/bin/time -f "  one core: %e s, max RSS %M kB" taskset -c 0 "$BIN/bench/events_bench" evtx 1 "$big"
/usr/bin/time -f "  all cores: %e s, max RSS %M kB" "$BIN/bench/events_bench" evtx 1 "$big"
/usr/bin/time -f "  evtxexport, one core: %e s, max RSS %M kB" taskset -c 0 evtxexport -f xml "$big" >/dev/null 2>&1 || true

/usr/bin/time -f "store bench: max RSS %M kB" "$BIN/bench/events_bench" store "$n"
QT_QPA_PLATFORM=offscreen "$BIN/bench/events_view_bench" "$n"
