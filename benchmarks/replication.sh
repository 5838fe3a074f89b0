#!/usr/bin/env bash
# Replication figures (docs/benchmarks.md): 5 agents as separate JVMs on 127.0.0.1.
#   benchmarks/replication.sh [--nodes 5] [--latency-samples 300] [--rate 5000] [--seconds 10] [--bootstrap-rows 100000]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
"$ROOT/edgeproxy" --version >/dev/null                       # builds the jar if needed, finds the JDK
(cd "$ROOT" && mvn -q -DskipTests -pl benchmarks -am package) >&2
JAVA=$(bash -c "source <(sed -n '/^java_major()/,/^}/p;/^find_java()/,/^}/p' '$ROOT/edgeproxy'); find_java")/bin/java
exec "$JAVA" -cp "$ROOT/benchmarks/target/benchmarks.jar" io.edgeproxy.benchmarks.ReplicationBench \
  --launcher "$ROOT/edgeproxy" "$@"
