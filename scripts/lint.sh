#!/usr/bin/env bash
# Lint: every tracked C++ file formatted by .clang-format, and clang-tidy (.clang-tidy: bugprone-*,
# performance-*) clean over the project's sources. Needs a configured build folder with
# compile_commands.json (default build/release; scripts/test.sh configures it). Used by .ci/run.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
status=0
mapfile -t cxx < <(git ls-files '*.cpp' '*.hpp')
if ! clang-format --dry-run -Werror "${cxx[@]}" 2>/tmp/wom-format.$$; then
  echo "lint: not formatted by .clang-format (run clang-format -i on these):"
  grep -o '^[^:]*' /tmp/wom-format.$$ | sort -u
  status=1
fi
rm -f /tmp/wom-format.$$
if [ ! -f "$build/compile_commands.json" ]; then
  echo "lint: $build/compile_commands.json is missing: configure with cmake --preset release first" >&2
  exit 1
fi
mapfile -t sources < <(git ls-files 'sim/*.cpp' 'models/*.cpp' 'app/*.cpp' 'sweep/*.cpp' 'api/*.cpp' 'cli/*.cpp' 'bench/suite/*.cpp')
if ! printf '%s\n' "${sources[@]}" | xargs -P "$(nproc)" -n 1 clang-tidy -p "$build" --quiet 2>/dev/null; then
  echo "lint: clang-tidy found problems (above)"
  status=1
fi
[ $status -eq 0 ] && echo "lint: ${#cxx[@]} files formatted, ${#sources[@]} sources clang-tidy clean"
exit $status
