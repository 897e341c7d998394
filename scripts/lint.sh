#!/usr/bin/env bash
# Lint: every tracked C++ file formatted by .clang-format, and clang-tidy (.clang-tidy: bugprone-*,
# performance-*) clean over the project's sources. Needs a configured build folder with
# compile_commands.json (default build/release; scripts/test.sh configures it). Used by .ci/run.
#
# clang-tidy is the slow part (about 8 minutes for every source on 2 cores), so a source found
# clean is remembered, like ccache remembers an object: its key hashes the source, its compile
# command, every tracked header (a change to any header re-checks every source), .clang-tidy and
# the clang-tidy and compiler versions. A source whose key is on record is not checked again; one
# with findings is never recorded. The record is in $WOM_LINT_CACHE (default
# ~/.cache/wom/clang-tidy); WOM_LINT_CACHE=off checks every source.
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build/release}
status=0
mapfile -t cxx < <(git ls-files '*.cpp' '*.hpp')
if ! clang-format --dry-run -Werror "${cxx[@]}" 2>/tmp/wom-format.$$; then
  echo "lint: not formatted by .clang-format (run clang-format -i on these):"
  grep -oE '^[^: ]+:[0-9]+:[0-9]+: error' /tmp/wom-format.$$ | cut -d: -f1 | sort -u
  status=1
fi
rm -f /tmp/wom-format.$$
if [ ! -f "$build/compile_commands.json" ]; then
  echo "lint: $build/compile_commands.json is missing: configure with cmake --preset release first" >&2
  exit 1
fi
mapfile -t sources < <(git ls-files 'sim/*.cpp' 'models/*.cpp' 'app/*.cpp' 'sweep/*.cpp' 'api/*.cpp' 'cli/*.cpp' 'bench/suite/*.cpp')

cache=${WOM_LINT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/wom/clang-tidy}
todo=("${sources[@]}")
declare -A key=()
if [ "$cache" != off ] && mkdir -p "$cache" 2>/dev/null; then
  # One line per source: "KEY PATH".
  while read -r k f; do key[$f]=$k; done < <(
    { clang-tidy --version; c++ --version; } | /usr/bin/python3 - "$build/compile_commands.json" "${sources[@]}" <<'PY'
import hashlib, json, os, subprocess, sys
db, files = sys.argv[1], sys.argv[2:]
common = hashlib.sha256(sys.stdin.buffer.read())
for h in sorted(subprocess.run(["git", "ls-files", "*.hpp", ".clang-tidy"], capture_output=True,
                               text=True, check=True).stdout.split()):
    common.update(h.encode() + b"\0" + open(h, "rb").read() + b"\0")
commands = {os.path.realpath(e["file"]): e.get("command") or " ".join(e.get("arguments", []))
            for e in json.load(open(db))}
for f in files:
    k = common.copy()
    k.update(f.encode() + b"\0" + open(f, "rb").read() + b"\0")
    # The clone's own path is left out, so that every clone of one commit shares the record.
    k.update((commands.get(os.path.realpath(f)) or "").replace(os.getcwd(), ".").encode())
    print(k.hexdigest(), f)
PY
  )
  todo=()
  for f in "${sources[@]}"; do [ -e "$cache/${key[$f]}" ] || todo+=("$f"); done
fi
echo "lint: clang-tidy on ${#todo[@]} of ${#sources[@]} sources (the rest unchanged since found clean)"
if [ ${#todo[@]} -gt 0 ]; then
  # Each source on its own, so one with findings does not keep the clean ones from being recorded.
  export build cache
  if ! printf '%s\n' "${todo[@]}" | while read -r f; do printf '%s %s\n' "$f" "${key[$f]:-}"; done |
    xargs -P "$(nproc)" -L 1 bash -c 'clang-tidy -p "$build" --quiet "$0" 2>/dev/null &&
      { [ -z "$1" ] || [ "$cache" = off ] || touch "$cache/$1"; }'; then
    echo "lint: clang-tidy found problems (above)"
    status=1
  fi
fi
[ $status -eq 0 ] && echo "lint: ${#cxx[@]} files formatted, ${#sources[@]} sources clang-tidy clean"
exit $status
