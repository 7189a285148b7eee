#!/usr/bin/env bash
# Runs pytest on an emulator build (cmake -DPYTENSOR_CUDA=EMU -B BUILD ...): the package's
# Python files and BUILD's _C, first on the path, so device="cuda" runs the real kernels.
# usage: cuda/emu/pytest.sh BUILD [pytest arguments], e.g. cuda/emu/pytest.sh build/emu -q -m cuda tests
set -euo pipefail
build=$(realpath "$1")
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
pkg=$build/pkg/pytensor
mkdir -p "$pkg"
for f in "$root"/pytensor/*; do
  [[ $(basename "$f") == _C.cpython-* ]] || ln -sfn "$f" "$pkg/"
done
ln -sf "$build"/_C.cpython-*.so "$pkg/"
cd "$root"
PYTHONPATH=$build/pkg exec "${PYTEST:-pytest}" -p no:cacheprovider "$@"
