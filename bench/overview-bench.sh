#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Overview figures (issue 5) against `ndes-lab --servers N` on loopback: a full probe of all N servers through the
# Overview page with bounded concurrency, the longest GUI event-loop stall during a refresh, and RSS growth over
# R refreshes. Usage: bench/overview-bench.sh [SERVERS=500] [REFRESHES=100] [CONCURRENCY=32]
set -euo pipefail
cd "$(dirname "$0")/.."
servers="${1:-500}"; refreshes="${2:-100}"; concurrency="${3:-32}"
bash scripts/build.sh release >/dev/null
BIN="$PWD/build/release"
work="$(mktemp -d)"; lab_pid=""
trap 'if [ -n "$lab_pid" ]; then kill -TERM "$lab_pid" 2>/dev/null; wait "$lab_pid" 2>/dev/null || true; fi
      rm -rf "$work"' EXIT
ulimit -n 65536 2>/dev/null || ulimit -n "$(ulimit -Hn)"
t0=$(date +%s%3N)
# The lab's keys are kept between runs (1000 RA keys take a while to generate the first time).
state="$PWD/build/bench-state/servers-$servers"
mkdir -p "$state"
"$BIN/lab/ndes-lab" --listen 127.0.0.1:0 --state "$state" --servers "$servers" >"$work/lab.out" 2>"$work/lab.err" &
lab_pid=$!
for _ in $(seq 1 3000); do [ "$(grep -c '^listening ' "$work/lab.out" 2>/dev/null || true)" -ge "$servers" ] && break; sleep 0.1; done
echo "ndes-lab: $servers servers up in $(( $(date +%s%3N) - t0 )) ms"
awk '/^listening /{print $2}' "$work/lab.out" >"$work/urls.txt"
QT_QPA_PLATFORM=offscreen "$BIN/bench/overview_bench" "$work/urls.txt" "$refreshes" "$concurrency"
echo "ndesctl check of all $servers (concurrency $concurrency):"
sed 's|$|/certsrv/mscep/mscep.dll|; s|^|--url |' "$work/urls.txt" | tr '\n' ' ' >"$work/args"
/usr/bin/time -f "  wall %e s, max RSS %M kB" "$BIN/app/ndesctl/ndesctl" check $(cat "$work/args") --concurrency "$concurrency" | head -1
