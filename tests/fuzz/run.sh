#!/bin/sh
# Builds the tree with clang and -DSYND_FUZZ=ON into BUILD_DIR, then runs
# every libFuzzer target fuzz_<name> for SECONDS (default 30) over a
# scratch copy of its seed corpus corpus/<name>/, so the committed seeds
# stay as they are. Exits non-zero if the build fails or any target finds
# a crash, a leak or undefined behaviour; reproducers are kept in
# BUILD_DIR/fuzz-artifacts/<name>/.
#
# Usage: tests/fuzz/run.sh BUILD_DIR [SECONDS]
set -eu

if [ $# -lt 1 ] || [ $# -gt 2 ]; then
    echo "usage: $0 BUILD_DIR [SECONDS]" >&2
    exit 2
fi
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
build=$1
seconds=${2:-30}

cmake -S "$root" -B "$build" -DSYND_FUZZ=ON -DSYND_TESTS=OFF -DCMAKE_C_COMPILER=clang
cmake --build "$build" -j "$(nproc)"
build=$(cd "$build" && pwd)

work=$(mktemp -d "${TMPDIR:-/tmp}/synd-fuzz.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM

failed=""
for seeds in "$here"/corpus/*/; do
    name=$(basename "$seeds")
    target="$build/tests/fuzz/fuzz_$name"
    artifacts="$build/fuzz-artifacts/$name"
    if [ ! -x "$target" ]; then
        echo "run.sh: no fuzz target fuzz_$name for corpus/$name" >&2
        failed="$failed fuzz_$name"
        continue
    fi
    mkdir -p "$work/$name" "$artifacts"
    cp "$seeds"* "$work/$name/"
    echo "== fuzz_$name for ${seconds}s"
    if ! "$target" -max_total_time="$seconds" -timeout=10 -print_final_stats=1 \
        -artifact_prefix="$artifacts/" "$work/$name"; then
        echo "run.sh: fuzz_$name failed; reproducer in $artifacts/" >&2
        failed="$failed fuzz_$name"
    fi
done

if [ -n "$failed" ]; then
    echo "FAILED:$failed" >&2
    exit 1
fi
echo "all fuzz targets ran ${seconds}s without a finding"
