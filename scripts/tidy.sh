#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs clang-tidy (the committed .clang-tidy) over the project's sources against the dev build's compile
# database. About six minutes on two cores, so it runs on demand rather than in every CI run.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -f build/dev/compile_commands.json ] || bash scripts/build.sh dev >/dev/null
out="$(clang-tidy -p build/dev --quiet core/*/*.cpp lab/*.cpp ui/*.cpp app/*/*.cpp 2>/dev/null | grep -E '^/.*(warning|error):' | grep -v '^/usr/' | sort -u || true)"
if [ -n "$out" ]; then
    printf '%s\n' "$out"
    echo "clang-tidy: $(printf '%s\n' "$out" | wc -l) finding(s)"
    exit 1
fi
echo "clang-tidy: clean"
