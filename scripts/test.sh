#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# README command 2 (and CI): install what is missing, build with warnings as errors, run every test:
# the Qt Test suites under CTest (unit, hostile input, integration against micromdm scepserver), the same
# suites under ASan+UBSan, and each libFuzzer target for a short run.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/install-deps.sh

echo "== build (dev, -Werror)"
bash scripts/build.sh dev
echo "== ctest (dev)"
ctest --preset dev -j2

echo "== build (asan-ubsan)"
bash scripts/build.sh asan-ubsan
echo "== ctest (asan-ubsan)"
ctest --preset asan-ubsan -j2   # sanitizer options come from tests/CMakeLists.txt

echo "== fuzz (short runs)"
bash scripts/fuzz.sh "${NDES_FUZZ_SECONDS:-20}"

echo "== clang-format"
files=$(git ls-files '*.cpp' '*.h')
if ! clang-format --dry-run --Werror $files; then
    echo "clang-format: files above need formatting (clang-format -i)" >&2
    exit 1
fi
echo "all test stages passed"
