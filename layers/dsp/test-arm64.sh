#!/usr/bin/env bash
# Runs the native tests on arm64: the official Node.js 22 arm64 binary under qemu-aarch64 with the
# CPU pinned to Graviton2 (QEMU_CPU=neoverse-n1; qemu's default CPU accepts every extension, so code
# that would SIGILL on Lambda would pass). The module must report 'neon'. The files: the native half
# of the conformance suite and the module tests (layers/dsp/test/*.test.ts), the snapshot fixtures,
# and every stage's own native tests (core/dsp/stages/**/*.native.test.ts).
#
#   layers/dsp/test-arm64.sh                 vitest, one process, worker threads (no fork)
#   layers/dsp/test-arm64.sh FILE…           only these test files
#   DSPFN_CONFORMANCE_STAGES=ema layers/dsp/test-arm64.sh layers/dsp/test/conformance.test.ts
#                                            one stage's conformance (coverage "sampled" on arm64;
#                                            DSPFN_CONFORMANCE=full for every signal)
#   DSPFN_QEMU_RUNNER=node layers/dsp/test-arm64.sh   node --test on the same files instead
#
# vitest needs two native pieces that npm installed for the host only: rollup's arm64 binding is
# fetched once into the cache and found through NODE_PATH, and esbuild runs as the host's binary
# (ESBUILD_BINARY_PATH; qemu starts an x86-64 child natively). Timings under qemu mean nothing.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
cache="${DSPFN_CACHE:-$HOME/.cache/dspfn}"
runner="${DSPFN_QEMU_RUNNER:-vitest}"
sysroot=/usr/aarch64-linux-gnu

if ! command -v qemu-aarch64 >/dev/null; then
  echo "[test:arm64] installing qemu-user (apt-get)" >&2
  [ "$(id -u)" = 0 ] || { echo "run: sudo apt-get install -y qemu-user" >&2; exit 1; }
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y --no-install-recommends qemu-user >/dev/null 2>&1 ||
    { apt-get update -qq && apt-get install -y --no-install-recommends qemu-user >/dev/null; }
fi

# The cross build (and its glibc/NEON/SVE checks); a no-op when up to date. Installs the cross
# compiler and the arm64 sysroot qemu needs when they are missing.
node "$here/build.mjs"
[ -d "$sysroot/lib" ] || { echo "[test:arm64] $sysroot is missing (apt-get install libc6-dev-arm64-cross)" >&2; exit 1; }

node_arm64="$("$here/fetch-node.sh" linux-arm64 22)"
export QEMU_CPU=neoverse-n1 QEMU_LD_PREFIX="$sysroot" DSPFN_EXPECT_SIMD=neon
unset DSPFN_NATIVE_PATH DSPFN_SIMD DSPFN_BACKEND
cd "$root"
if [ "$#" -gt 0 ]; then
  files=("$@")
else
  mapfile -t files < <(ls layers/dsp/test/*.test.ts core/dsp/fixtures/fixtures.test.ts; find core/dsp/stages -name '*.native.test.ts' | sort)
fi

started=$(date +%s)
if [ "$runner" = vitest ]; then
  rollup_version="$(node -p "require(require.resolve('rollup/package.json', { paths: [require('path').dirname(require.resolve('vite/package.json'))] })).version")"
  modules="$cache/arm64-node_modules/rollup-$rollup_version"
  if [ ! -f "$modules/node_modules/@rollup/rollup-linux-arm64-gnu/package.json" ]; then
    tmp="$(mktemp -d "$cache/fetch.XXXXXX")"
    (cd "$tmp" && npm pack --silent "@rollup/rollup-linux-arm64-gnu@$rollup_version" >/dev/null)
    mkdir -p "$modules/node_modules/@rollup/rollup-linux-arm64-gnu"
    tar -xzf "$tmp"/rollup-rollup-linux-arm64-gnu-*.tgz -C "$modules/node_modules/@rollup/rollup-linux-arm64-gnu" --strip-components=1
    rm -rf "$tmp"
  fi
  esbuild_host="$(node -p "require('path').join(require('path').dirname(require.resolve('@esbuild/linux-x64/package.json', { paths: [require('path').dirname(require.resolve('esbuild/package.json'))] })), 'bin', 'esbuild')")"
  NODE_PATH="$modules/node_modules" ESBUILD_BINARY_PATH="$esbuild_host" \
    qemu-aarch64 "$node_arm64" node_modules/vitest/vitest.mjs run --pool=threads --no-file-parallelism "${files[@]}"
else
  qemu-aarch64 "$node_arm64" --test --experimental-test-isolation=none --experimental-transform-types \
    --test-reporter=spec "${files[@]}"
fi
echo "[test:arm64] $(qemu-aarch64 "$node_arm64" --version) arm64 under qemu-aarch64 (QEMU_CPU=$QEMU_CPU), runner $runner: passed in $(( $(date +%s) - started )) s"
