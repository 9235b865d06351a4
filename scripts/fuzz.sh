#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds the libFuzzer targets (clang) and runs each for SECONDS (default 20; try 3600 for a real campaign).
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-20}"
bash scripts/build.sh fuzz
for target in fuzz_certrep fuzz_getcacert fuzz_getcacaps fuzz_regfile fuzz_adminpage fuzz_labrequest fuzz_crl fuzz_diagnosis fuzz_eventxml fuzz_syslog fuzz_eventjson \
    fuzz_apphost fuzz_w3c fuzz_wintext fuzz_snapshot fuzz_auditcatalogue fuzz_zip fuzz_secdesc fuzz_ldif fuzz_evtx; do
    name="${target#fuzz_}"
    work="fuzz/corpus-run/$name"
    mkdir -p "$work"
    echo "-- $target for ${seconds}s"
    "build/fuzz/fuzz/$target" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=2048 \
        -print_final_stats=1 -artifact_prefix="fuzz/corpus-run/$name-" "$work" "fuzz/corpus/$name" 2>&1 | tail -n 12
done
