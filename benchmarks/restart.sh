#!/usr/bin/env bash
# What clients see while an agent restarts on the same ports (docs/benchmarks.md): TCP connections
# through the proxy and DNS queries without pause; halfway, a new agent takes over (edgeproxy reload,
# the default) or the agent is restarted (--mode restart: SIGTERM, wait, start).
#   benchmarks/restart.sh [--mode reload|restart] [--seconds 20] [--restart-at 8] [--tcp-clients 4] [--dns-clients 2] [--keep-work-dir false]
exec "$(dirname "${BASH_SOURCE[0]}")/java-main.sh" io.edgeproxy.benchmarks.RestartBench "$@"
