#!/usr/bin/env bash
# Configures and builds Koe.
#   scripts/build.sh           release build with gcc into build/
#   scripts/build.sh asan      clang with ASan+UBSan and libFuzzer harnesses into build-asan/
# Extra arguments are passed to cmake --build (e.g. a target name via --target).
set -euo pipefail
cd "$(dirname "$0")/.."

flavour="${1:-release}"
shift || true
jobs="${KOE_JOBS:-$(nproc)}"

case "$flavour" in
  release)
    dir=build
    cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
    ;;
  asan)
    dir=build-asan
    CC=clang CXX=clang++ cmake -S . -B "$dir" -G Ninja -DCMAKE_BUILD_TYPE=Debug \
      -DKOE_SANITIZE=ON -DKOE_FUZZ=ON >/dev/null
    ;;
  *)
    echo "usage: scripts/build.sh [release|asan] [cmake --build args]" >&2
    exit 2
    ;;
esac

cmake --build "$dir" -j "$jobs" "$@"
echo "build: $flavour build ready in $dir/"
