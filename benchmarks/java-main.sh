#!/usr/bin/env bash
# Runs one main class of the benchmarks jar (built first if needed) on the JDK ./edgeproxy picks,
# telling it where the launcher is. Used by replication.sh and faults.sh.
#   benchmarks/java-main.sh CLASS [args...]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
MAIN=$1
shift
"$ROOT/edgeproxy" --version >/dev/null                       # builds the jar if needed, finds the JDK
(cd "$ROOT" && mvn -q -DskipTests -pl benchmarks -am package) >&2
JAVA=$(bash -c "source '$ROOT/dist/src/main/sh/edgeproxy-jvm.sh'; source <(sed -n '/^find_java()/,/^}/p' '$ROOT/edgeproxy'); find_java")/bin/java
exec "$JAVA" -cp "$ROOT/benchmarks/target/benchmarks.jar" "$MAIN" --launcher "$ROOT/edgeproxy" "$@"
