#!/usr/bin/env bash
# What clients see while an agent restarts on the same ports (docs/benchmarks.md): TCP connections
# through the proxy and DNS queries without pause, the agent restarted halfway (SIGTERM, wait, start).
#   benchmarks/restart.sh [--seconds 20] [--restart-at 8] [--tcp-clients 4] [--dns-clients 2]
exec "$(dirname "${BASH_SOURCE[0]}")/java-main.sh" io.edgeproxy.benchmarks.RestartBench "$@"
