#!/usr/bin/env bash
# Builds (release preset) and runs every test; prints ctest's summary and the theory
# checks' figures. Installs missing packages first. Used by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
cmake --preset release >/dev/null
cmake --build --preset release
rm -f build/release/theory_report.txt
status=0
ctest --preset release || status=$?
if [ -f build/release/theory_report.txt ]; then
  echo "--- theory checks (figures recorded by the tests) ---"
  sort build/release/theory_report.txt
fi
exit $status
