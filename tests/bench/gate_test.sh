#!/usr/bin/env bash
# The bench gate (bench/suite/gate.hpp), proven both ways on this machine:
#  1. the unchanged build against itself, interleaved (instructions, memory, wall time): passes;
#  2. the slowed build (service_wom's fast path for idle persons switched off; results
#     bit-identical) against the unchanged one, interleaved: fails, on service_wom.year's
#     instructions and wall time, and only there (sir.ba does not use that code);
#  3. the slowed run's document judged against the unchanged one's as a stored baseline
#     (`--compare BASE --current NOW`): fails on instructions.
# usage: gate_test.sh WOM WOM_SLOWED SOURCE_DIR
set -euo pipefail
wom=$1 slowed=$2 src=$3
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp"
cases='^(sir\.ba|service_wom\.year)$'
common=(bench --short --threads 2 --filter "$cases" --reps 12 --data "$src/data" --jobs 2)
fail() { echo "gate_test: FAIL: $*" >&2; exit 1; }

# 1. Unchanged against itself.
status=0
"$wom" "${common[@]}" --baseline-binary "$wom" --out same >same.txt || status=$?
cat same.txt
[ $status -eq 0 ] || fail "the unchanged build failed the gate against itself (exit $status)"
grep -q "gate: passed" same.txt || fail "no 'gate: passed' line"
for c in sir.ba service_wom.year; do
  grep -Eq "^$c +instructions .* ok " same.txt || fail "$c: instructions not judged ok"
  grep -Eq "^$c +wall time .* ok " same.txt || fail "$c: wall time not judged ok"
done

# 2. Slowed against unchanged, interleaved.
status=0
"$slowed" "${common[@]}" --baseline-binary "$wom" --out slowed >slowed.txt || status=$?
cat slowed.txt
[ $status -eq 2 ] || fail "the slowed build did not fail the gate (exit $status, expected 2)"
grep -Eq "^service_wom\.year +instructions .* REGRESSION" slowed.txt || fail "service_wom.year instructions not a regression"
grep -Eq "^service_wom\.year +wall time .* REGRESSION" slowed.txt || fail "service_wom.year wall time not a regression"
grep -Eq "^sir\.ba +instructions .* ok " slowed.txt || fail "sir.ba (unchanged code) not ok"
grep -Eq "^sir\.ba +wall time .* ok " slowed.txt || fail "sir.ba wall time (unchanged code) not ok"

# 3. The same judged from stored documents.
status=0
"$wom" bench --compare slowed/baseline.json --current slowed/bench.json >stored.txt || status=$?
cat stored.txt
[ $status -eq 2 ] || fail "the stored slowed document did not fail against the stored baseline (exit $status)"
grep -Eq "^service_wom\.year +instructions .* REGRESSION" stored.txt || fail "stored: no instruction regression"
grep -Eq "^service_wom\.year +wall time .* not judged" stored.txt || fail "stored: wall time must not be judged"
echo "gate_test: the unchanged build passes, the slowed build fails (interleaved and stored)"
