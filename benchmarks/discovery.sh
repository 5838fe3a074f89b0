#!/usr/bin/env bash
# Discovery API figures (docs/benchmarks.md): 2 agents as separate JVMs on 127.0.0.1 with replication
# and the API on; registrations/s and heartbeats/s on pop-0 (wrk, 64 keep-alive connections, when
# installed), and the time from a registration answered on pop-0 to routable on pop-1.
#   benchmarks/discovery.sh [--discovery-seconds 10] [--discovery-clients 64]
set -euo pipefail
HERE=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
exec "$HERE/replication.sh" "$@" --nodes 2 --latency-samples 0 --seconds 0 --bootstrap-rows 0 --discovery-seconds 10
