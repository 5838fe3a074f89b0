#!/usr/bin/env bash
# Replication figures (docs/benchmarks.md): 5 agents as separate JVMs on 127.0.0.1.
#   benchmarks/replication.sh [--nodes 5] [--latency-warmup 0] [--latency-samples 300] [--rate 5000] [--seconds 10] [--idle-seconds 30] [--bootstrap-rows 100000] [--keep-work-dir false]
exec "$(dirname "${BASH_SOURCE[0]}")/java-main.sh" io.edgeproxy.benchmarks.ReplicationBench "$@"
