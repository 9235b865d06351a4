#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Reading Active Directory (issue 18), release build: a Samba AD DC on loopback with TEMPLATES templates and ACCOUNTS
# accounts, read REPEAT times, against ldapsearch. Needs port 636 free (one Samba DC at a time).
# Usage: bench/directory-bench.sh [TEMPLATES=500] [ACCOUNTS=5000] [REPEAT=3]
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/build.sh release directory_bench >/dev/null
/usr/bin/time -f "max RSS %M kB" build/release/bench/directory_bench "${1:-500}" "${2:-5000}" "${3:-3}"
