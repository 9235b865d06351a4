#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Median time per enrollment: ndesctl against micromdm scepclient, same scepserver, same key size, one
# process per enrollment (key generation included), alternating runs so both see the same machine state.
# Usage: bench/enroll-bench.sh [N=30] [KEY_BITS=2048]
# Prints both medians and the ratio ndesctl/scepclient (target <= 1.0).
set -euo pipefail
cd "$(dirname "$0")/.."
runs="${1:-30}"
bits="${2:-2048}"
[ -x build/release/app/ndesctl/ndesctl ] || bash scripts/build.sh release >/dev/null
NDESCTL="$PWD/build/release/app/ndesctl/ndesctl"
command -v scepclient >/dev/null || { echo "scepclient missing: bash scripts/install-deps.sh" >&2; exit 1; }

. scripts/lib-scepserver.sh
work="$(mktemp -d)"
trap 'stop_scepserver; rm -rf "$work"' EXIT
BENCH_CHALLENGE="bench-$RANDOM$RANDOM"
export BENCH_CHALLENGE
start_scepserver "$work" "$BENCH_CHALLENGE"

now_ns() { date +%s%N; }
median() { sort -n | awk '{a[NR]=$1} END {if (NR%2) print a[(NR+1)/2]; else print (a[NR/2]+a[NR/2+1])/2}'; }

: >"$work/ndesctl.ms"
: >"$work/scepclient.ms"
for i in $(seq 1 "$runs"); do
    t0=$(now_ns)
    "$NDESCTL" enroll --url "$SCEP_URL" --subject "CN=bench-ndesctl-$i" --key-size "$bits" \
        --key-out "$work/n$i.key" --cert-out "$work/n$i.pem" --challenge-env BENCH_CHALLENGE >/dev/null 2>&1 \
        || { echo "ndesctl enrollment $i failed" >&2; exit 1; }
    t1=$(now_ns)
    scepclient -server-url "$SCEP_URL" -challenge "$BENCH_CHALLENGE" -cn "bench-scepclient-$i" -keySize "$bits" \
        -private-key "$work/s$i.key" -certificate "$work/s$i.pem" >/dev/null 2>&1 \
        || { echo "scepclient enrollment $i failed" >&2; exit 1; }
    t2=$(now_ns)
    echo $(( (t1 - t0) / 1000 )) >>"$work/ndesctl.ms"
    echo $(( (t2 - t1) / 1000 )) >>"$work/scepclient.ms"
done
n=$(median <"$work/ndesctl.ms")
s=$(median <"$work/scepclient.ms")
# scepclient takes the challenge in argv; that is its interface, used here only against this throw-away server.
awk -v n="$n" -v s="$s" -v runs="$runs" -v bits="$bits" 'BEGIN {
    printf "enrollments: %d each, RSA %d, scepserver on loopback\n", runs, bits
    printf "ndesctl    median %.1f ms\n", n / 1000
    printf "scepclient median %.1f ms\n", s / 1000
    printf "ratio ndesctl/scepclient = %.2f (target <= 1.0)\n", n / s
}'
