#!/usr/bin/env bash
# Benchmarks: the micro-benchmarks registered with Meson (`benchmark()`), then the example app
# against peer servers (hyper, Boost.Beast, nginx, ...) in the same run with the shared peer
# harness. Prints figures; docs/benchmarks.md records the ones worth keeping.
#
#   ./dev bench                     # everything (peers: PEERS, default "hyper beast nginx")
#   ./dev bench micro               # only the micro-benchmarks
#   PEERS_SH=/path/to/peers.sh ./dev bench peers
set -euo pipefail
BUILD=${1:?build folder}
WHAT=${2:-all}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
PEERS_SH=${PEERS_SH:-$ROOT/../shared/bench/peers.sh}

echo "# containerflare benchmarks $(date -u +%Y-%m-%dT%H:%M:%SZ) commit $(git -C "$ROOT" rev-parse --short HEAD) nproc=$(nproc)"

if [ "$WHAT" = all ] || [ "$WHAT" = micro ]; then
  meson test -C "$ROOT/$BUILD" --benchmark --verbose --num-processes 1 2>&1 |
    grep -vE '^(ninja|\[|=+$)' || true
fi

if [ "$WHAT" = all ] || [ "$WHAT" = peers ]; then
  if [ ! -x "$PEERS_SH" ]; then
    echo "peer harness not found at $PEERS_SH (set PEERS_SH)" >&2
    exit 1
  fi
  EXTRA_NAME=containerflare \
    EXTRA_SERVER_CMD="env CF_LOG=warn $ROOT/$BUILD/app/containerflare-basic" \
    PEERS=${PEERS:-"hyper beast nginx"} DURATION=${DURATION:-5s} REPEAT=${REPEAT:-3} \
    "$PEERS_SH"
fi
