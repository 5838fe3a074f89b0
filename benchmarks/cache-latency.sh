#!/usr/bin/env bash
# The tiered-edge seed's latency chart, measured (docs/benchmarks.md): 2 agents of one region, each
# in its own network namespace, delaying relays for distance (root, iproute2 and iptables needed).
# Writes docs/cache-latency.svg.
#   benchmarks/cache-latency.sh [--samples 25] [--svg docs/cache-latency.svg] [--keep-work-dir false]
exec "$(dirname "${BASH_SOURCE[0]}")/java-main.sh" io.edgeproxy.benchmarks.CacheLatencyBench "$@"
