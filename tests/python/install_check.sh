#!/usr/bin/env bash
# `cmake --install BUILD --prefix P` puts an importable `wom` under P for /usr/bin/python3.
# Usage: install_check.sh BUILD_DIR SOURCE_DIR
set -euo pipefail
build=$1 src=$2
prefix=$(mktemp -d)
trap 'rm -rf "$prefix"' EXIT
cmake --install "$build" --prefix "$prefix" > /dev/null
site=$(find "$prefix" -type d -name dist-packages | head -1)
cd "$prefix"
PYTHONPATH=$site /usr/bin/python3 -c "
import wom, sys
assert wom.__file__.startswith('$prefix'), wom.__file__
shape = wom.run('$src/configs/default.yaml', overrides={'graph.n': 5000, 'time.steps': 30}).timeseries.shape
print('installed wom imports from', wom.__file__, 'and runs:', shape)
"
