#!/usr/bin/env bash
# End-to-end L4 benchmark of edgeproxy against direct, HAProxy and nginx in one interleaved run,
# with the shared harness (../shared/bench/l4.sh). Figures go to docs/benchmarks.md by hand.
#
#   benchmarks/l4-edgeproxy.sh                       # all tests, 3 repetitions (about 25 minutes)
#   REPS=1 TESTS="close keepalive" benchmarks/l4-edgeproxy.sh
#
# Needs: haproxy nginx libnginx-mod-stream iperf3 wrk sqlite3 python3 (Debian packages).
# Env: BENCH (harness dir), EDGEPROXY_JAVA_OPTS (extra JVM options), plus every l4.sh knob.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=${BENCH:-$ROOT/../shared/bench}
DATA=$ROOT/benchmarks/target/l4
mkdir -p "$DATA"

# The jar, built once up front (the launcher does not rebuild during the run).
"$ROOT/edgeproxy" --version >/dev/null

# One routing.db per backend the harness starts (its fixed ports).
. "$ROOT/benchmarks/bench-db.sh"
for port in "${IPERF_PORT:-25201}" "${HTTP_PORT:-28080}" "${HOLD_PORT:-29000}"; do
  bench_routing_db "$DATA/routing-$port.db" "$port"
done

export PROXY_NAME=${PROXY_NAME:-edgeproxy}
export PROXY_CMD="env EDGEPROXY_NO_BUILD=1 $ROOT/edgeproxy agent --listen 127.0.0.1:\$LISTEN_PORT \
--db $DATA/routing-\$BACKEND_PORT.db --app bench --region sa --drain-secs 0"
export PROXIES=${PROXIES:-direct haproxy nginx}
exec "$BENCH/l4.sh"
