#!/usr/bin/env bash
# `mpirun -np 2 wom sweep` writes the same results.csv as one process (rows are pure
# functions of point and replicate; the ranks only share the work). Usage: mpi_sweep.sh WOM MPIEXEC SOURCE_DIR
set -euo pipefail
wom=$1 mpiexec=$2 src=$3
dir=$(mktemp -d)
trap 'rm -rf "$dir"' EXIT
cat > "$dir/s.yaml" <<YAML
base: $src/configs/default.yaml
seed: 5
design: lhs
points: 10
vary:
  params.policy.acknowledge_rate: {min: 0, max: 1}
  params.economics.margin_per_year: {min: 50, max: 150}
replicates: 2
metrics: [npv, customers_end]
overrides: {time.steps: 60, graph.n: 3000}
YAML
cd "$dir"
"$wom" sweep s.yaml --out one -q > /dev/null
# Root may run it (CI runs as root); two ranks: a manager and a worker; then three.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
"$mpiexec" -np 2 "$wom" sweep s.yaml --out two -q
"$mpiexec" -np 3 "$wom" sweep s.yaml --out three -q
cmp one/results.csv two/results.csv
cmp one/results.csv three/results.csv
test -s two/records/rank-1.log
test "$(wc -l < two/results.csv)" -eq 21
# A bad spec is reported once, by rank 0, and every rank exits 1.
sed 's/points: 10/points: 0/' s.yaml > bad.yaml
if "$mpiexec" -np 2 "$wom" sweep bad.yaml --out bad -q 2> err.txt; then echo "bad spec accepted" >&2; exit 1; fi
grep -q "points = 0 is out of range" err.txt
echo "mpi sweep: 1, 2 and 3 ranks give the same $(($(wc -l < one/results.csv) - 1)) rows"
