#!/usr/bin/env bash
# The worked example (examples/worked/README.md): which parameters matter most for NPV and
# for the cost of an argued complaint? A Morris screen over 8 parameters, then a Sobol design
# over the top 3, then the figures.
#
# Run from the repository root:
#   examples/worked/run.sh                 # everything: morris, sobol, figures
#   examples/worked/run.sh morris          # one stage (or several: sobol figures)
# Environment: WOM (default build/release/wom), PYTHON (default /usr/bin/python3),
#   OUT (default out/worked), THREADS (default: all cores); PYTHONPATH may name a built wom
#   Python module (it is found by itself beside WOM: build/release/python).
# A stage whose sweep folder exists resumes it (a complete sweep is not run again); delete
# OUT to start afresh.
set -euo pipefail

cd "$(dirname "$0")/../.."
WOM=${WOM:-build/release/wom}
PYTHON=${PYTHON:-/usr/bin/python3}
OUT=${OUT:-out/worked}
THREADS=${THREADS:-0}
FIGS=examples/worked/figures
# The Python module wom, when built beside the binary (build/release/python): analysis.sobol
# then recomputes the convergence indices with wom's own C++ estimator (else with numpy).
if [ -d "$(dirname "$WOM")/python/wom" ]; then
  module_dir=$(cd "$(dirname "$WOM")/python" && pwd)
  export PYTHONPATH="$module_dir${PYTHONPATH:+:$PYTHONPATH}"
fi
stages=("$@")
[ ${#stages[@]} -eq 0 ] && stages=(morris sobol figures)

mkdir -p "$OUT"
clock() { date +%s.%N; }
took() { awk -v a="$1" -v b="$(clock)" 'BEGIN { printf "%.1f", b - a }'; }

sweep() {  # sweep NAME: run (or resume) examples/worked/NAME.yaml into $OUT/NAME, then analyze
  local name=$1 dir="$OUT/$1" t0
  t0=$(clock)
  local resume=()
  [ -d "$dir" ] && resume=(--resume)
  "$WOM" sweep "examples/worked/$name.yaml" --out "$dir" --threads "$THREADS" -q "${resume[@]}"
  echo "== $name: sweep took $(took "$t0") s"
  "$WOM" sweep analyze "$dir"
}

# The key with the largest index for a metric in a sensitivity.csv (mu_star or ST).
top_key() {
  "$PYTHON" - "$1" "$2" <<'EOF'
import sys
import pandas as pd
s = pd.read_csv(sys.argv[1])
col = "ST" if "ST" in s.columns else "mu_star"
print(s[s.metric == sys.argv[2]].sort_values(col, ascending=False).key.iloc[0])
EOF
}

figures() {
  local t0
  t0=$(clock)
  mkdir -p "$OUT/figures" "$FIGS"
  "$PYTHON" -m analysis.morris "$OUT/morris" --out "$OUT/figures/morris"
  "$PYTHON" -m analysis.sobol "$OUT/sobol" --out "$OUT/figures/sobol"
  local metric key
  for metric in npv cost.total; do
    key=$(top_key "$OUT/sobol/sensitivity.csv" "$metric")
    echo "== top parameter for $metric (Sobol ST): $key"
    "$PYTHON" -m analysis.response "$OUT/sobol" --x "$key" --metric "$metric" --out "$OUT/figures/response_$metric"
  done
  cp "$OUT"/figures/*.png "$FIGS"/
  echo "== figures took $(took "$t0") s (PNG and SVG in $OUT/figures; PNG copied to $FIGS)"
}

total=$(clock)
for stage in "${stages[@]}"; do
  case $stage in
    morris | sobol) sweep "$stage" ;;
    figures) figures ;;
    *) echo "run.sh: unknown stage '$stage' (accepted: morris, sobol, figures)" >&2; exit 1 ;;
  esac
done
echo "== all stages (${stages[*]}) took $(took "$total") s"
