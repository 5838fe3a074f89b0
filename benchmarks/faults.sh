#!/usr/bin/env bash
# Replication under faults (docs/benchmarks.md): 3 agents as separate JVMs, each in its own network
# namespace (root, iproute2 and iptables needed, as for the fault tests).
#   benchmarks/faults.sh [--partitions 10,60,600] [--partition-rate 200] [--loss 0.2] [--lossy-rates 1000,5000] [--seconds 10] [--keep-work-dir false]
exec "$(dirname "${BASH_SOURCE[0]}")/java-main.sh" io.edgeproxy.benchmarks.FaultBench "$@"
