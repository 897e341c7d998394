#!/usr/bin/env bash
# Fuzz smoke: builds the libFuzzer targets (`cmake --preset fuzz`: clang-14, ASan + UBSan) and
# runs each for SECONDS_PER_TARGET (default 30) on a copy of its seed corpus (fuzz/corpus/<target>,
# which is left as it is), as many targets at once as there are cores. Fails if any target finds
# a crash, a sanitizer report, a leak, a timeout (-timeout=10) or an allocation over
# -rss_limit_mb=2048; the input that did it is kept in build/fuzz/findings/<target>/.
# fuzz/README.md describes the targets. Used by .ci/run.
#
#   scripts/fuzz.sh [SECONDS_PER_TARGET] [TARGET...]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-30}
shift || true
targets=("$@")
[ ${#targets[@]} -eq 0 ] && targets=(fuzz_config fuzz_edgelist fuzz_sweep_spec fuzz_store)
if ! [[ $seconds =~ ^[0-9]+$ ]] || [ "$seconds" -lt 1 ]; then
  echo "fuzz: SECONDS_PER_TARGET must be a whole number of seconds >= 1, got '$seconds'" >&2
  exit 2
fi
if ! command -v clang++-14 >/dev/null || ! ls /usr/lib/llvm-14/lib/clang/*/lib/linux/libclang_rt.fuzzer-x86_64.a \
  >/dev/null 2>&1; then
  echo "fuzz: needs clang++-14 and libFuzzer: apt-get install clang-14 libclang-rt-14-dev" >&2
  exit 2
fi

launcher=()
command -v ccache >/dev/null && launcher=(-DCMAKE_CXX_COMPILER_LAUNCHER=ccache)
cmake --preset fuzz "${launcher[@]}" >/dev/null
cmake --build --preset fuzz

declare -A max_len=([fuzz_config]=8192 [fuzz_edgelist]=4096 [fuzz_sweep_spec]=8192 [fuzz_store]=8192)
declare -A dict=([fuzz_config]=fuzz/dict/config.dict [fuzz_sweep_spec]=fuzz/dict/spec.dict
                 [fuzz_store]=fuzz/dict/store.dict)
work=$(mktemp -d "${TMPDIR:-/tmp}/wom-fuzz-smoke-XXXXXX")
trap 'rm -rf "$work"' EXIT
# Each target is one libFuzzer process on one core: as many run at once as there are cores.
run_target() {
  local t=$1 bin=build/fuzz/fuzz/$1
  mkdir -p "$work/$t/corpus" "$work/$t/artifacts"
  cp -r fuzz/corpus/"$t"/. "$work/$t/corpus/"
  local args=(-max_total_time="$seconds" -max_len="${max_len[$t]}" -timeout=10 -rss_limit_mb=2048
              -print_final_stats=1 -artifact_prefix="$work/$t/artifacts/")
  [ -n "${dict[$t]:-}" ] && args+=(-dict="${dict[$t]}")
  local rc=0
  "$bin" "${args[@]}" "$work/$t/corpus" >"$work/$t/log" 2>&1 || rc=$?
  echo $rc >"$work/$t/rc"
}
for t in "${targets[@]}"; do
  [ -x "build/fuzz/fuzz/$t" ] || { echo "fuzz: no target $t (known: fuzz_config fuzz_edgelist fuzz_sweep_spec fuzz_store)" >&2; exit 2; }
done
jobs_max=$(nproc)
for t in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs_max" ]; do wait -n || true; done
  echo "fuzz: $t for ${seconds} s"
  run_target "$t" &
done
wait
status=0
summary=()
for t in "${targets[@]}"; do
  bin=build/fuzz/fuzz/$t
  rc=$(cat "$work/$t/rc" 2>/dev/null || echo 1)
  # Figures from libFuzzer's last status line and final stats.
  last=$(grep -E '^#[0-9]+' "$work/$t/log" | tail -1 || true)
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/$t/log")
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$work/$t/log")
  cov=$(grep -o 'cov: [0-9]*' <<<"$last" | tail -1)
  ft=$(grep -o 'ft: [0-9]*' <<<"$last" | tail -1)
  corp=$(grep -o 'corp: [0-9]*/[0-9a-zA-Z]*' <<<"$last" | tail -1)
  line=$(printf '%-16s %10s execs %7s exec/s  %-10s %-10s %s' "$t" "${execs:-?}" "${rate:-?}" "${cov:-}" "${ft:-}" \
    "${corp:-}")
  if [ "$rc" -ne 0 ]; then
    status=1
    line+="  FAILED (exit $rc)"
    mkdir -p build/fuzz/findings/"$t"
    cp "$work/$t"/artifacts/* build/fuzz/findings/"$t"/ 2>/dev/null || true
    cp "$work/$t/log" build/fuzz/findings/"$t"/log
    echo "fuzz: $t FAILED; its log and input are in build/fuzz/findings/$t/ (reproduce: $bin FILE):"
    grep -E 'ERROR|SUMMARY|terminate|abort|invariant|Test unit written' "$work/$t/log" | head -20 || true
  fi
  summary+=("$line")
done
echo "--- fuzz: ${seconds} s per target (ASan + UBSan) ---"
printf '%s\n' "${summary[@]}"
exit $status
