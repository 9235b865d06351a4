#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Configuration audit figures (issue 17), release build: a snapshot with MB megabytes of real IIS logs loaded and
# audited, and the check evaluation alone. Usage: bench/audit-bench.sh [MB=100] [REPEAT=5]
set -euo pipefail
cd "$(dirname "$0")/.."
mb="${1:-100}"; repeat="${2:-5}"
bash scripts/build.sh release audit_bench >/dev/null
/usr/bin/time -f "max RSS %M kB" build/release/bench/audit_bench "$PWD/tests/data" "$mb" "$repeat"
