#!/usr/bin/env bash
# Runs vitest with the official Node.js 22 binary (the Lambda nodejs22.x runtime's major) whatever
# Node this machine has, e.g. what needs Node 22 at run time (zstd through node:zlib):
#
#   bash test/run-node22.sh --project kafka test/integration/kafka-sink.test.ts
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
case "$(uname -m)" in
  aarch64|arm64) target=linux-arm64 ;;
  *) target=linux-x64 ;;
esac
node22="$("$root/layers/dsp/fetch-node.sh" "$target" 22)"
cd "$root"
# First on PATH too, so processes the tests spawn run on Node 22 as well.
export PATH="$(dirname "$node22"):$PATH"
started=$(date +%s)
"$node22" node_modules/vitest/vitest.mjs run "$@"
echo "[node22] $("$node22" --version) ran vitest $*: passed in $(( $(date +%s) - started )) s"
