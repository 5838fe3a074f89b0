#!/usr/bin/env bash
# TLS termination benchmark of edgeproxy's HTTPS edge against HAProxy and nginx in one interleaved
# run, with the shared harness (../shared/bench/tls.sh). Figures go to docs/benchmarks.md by hand.
#
#   benchmarks/tls-edgeproxy.sh                               # OpenSSL provider, tls_close and tls_keepalive
#   TLS_PROVIDER=jdk REPS=2 benchmarks/tls-edgeproxy.sh        # the JDK's TLS instead
#
# The edge serves the app in TCP mode (TLS ends here, bytes go on to the backend); HTTP mode (ALPN
# h2, the harness's h2 test) is not built yet, so TESTS leaves h2 out by default.
# Needs: haproxy nginx wrk sqlite3 python3 openssl (Debian packages; nghttp2-client for h2).
# Env: BENCH (harness dir), TLS_PROVIDER (openssl|jdk|auto), EDGEPROXY_JAVA_OPTS, plus every tls.sh knob.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=${BENCH:-$ROOT/../shared/bench}
DATA=$ROOT/benchmarks/target/tls
mkdir -p "$DATA"
TLS_PROVIDER=${TLS_PROVIDER:-openssl}

# The jar, built once up front (the launcher does not rebuild during the run).
"$ROOT/edgeproxy" --version >/dev/null

# A routing.db with one unlimited backend of app "bench": the harness's HTTP backend.
. "$ROOT/benchmarks/bench-db.sh"
port=${HTTP_PORT:-28081}
bench_routing_db "$DATA/routing-$port.db" "$port"

# Every name (the harness uses SNI localhost) goes to app bench: EDGEPROXY_APP names it.
export PROXY_NAME=${PROXY_NAME:-edgeproxy-$TLS_PROVIDER}
export PROXY_CMD="env EDGEPROXY_NO_BUILD=1 $ROOT/edgeproxy agent --listen 127.0.0.1:0 --admin '' \
--db $DATA/routing-\$BACKEND_PORT.db --app bench --region sa --drain-secs 0 \
--tls --tls-listen 127.0.0.1:\$LISTEN_PORT --tls-cert \$CERT_FILE --tls-key \$KEY_FILE --tls-provider $TLS_PROVIDER"
export TESTS=${TESTS:-tls_close tls_keepalive}
export HTTP_PORT=$port
exec "$BENCH/tls.sh"
