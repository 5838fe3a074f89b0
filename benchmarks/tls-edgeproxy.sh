#!/usr/bin/env bash
# TLS termination benchmark of edgeproxy's HTTPS edge against HAProxy and nginx in one interleaved
# run, with the shared harness (../shared/bench/tls.sh). Figures go to docs/benchmarks.md by hand.
#
#   benchmarks/tls-edgeproxy.sh                               # HTTP mode, OpenSSL: tls_close, tls_keepalive, h2
#   TLS_PROVIDER=jdk REPS=2 benchmarks/tls-edgeproxy.sh        # the JDK's TLS instead
#   MODE=tcp benchmarks/tls-edgeproxy.sh                      # TCP mode (bytes relayed; no h2)
#
# MODE=http (the default) serves the app in HTTP mode, as the peers are (HAProxy mode http, nginx
# proxy_pass with a keep-alive upstream): ALPN h2 and http/1.1, a backend connection pool.
# MODE=tcp relays the bytes after TLS, one backend connection per client connection.
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
MODE=${MODE:-http}
if [[ $MODE == http ]]; then
  EDGEPROXY_NO_BUILD=1 "$ROOT/edgeproxy" sql --write --db "$DATA/routing-$port.db" --admin 127.0.0.1:1 \
    "INSERT INTO apps (name, protocol) VALUES ('bench', 'http')" >/dev/null 2>&1
fi

# Every name (the harness uses SNI localhost) goes to app bench: EDGEPROXY_APP names it.
export PROXY_NAME=${PROXY_NAME:-edgeproxy-$MODE-$TLS_PROVIDER}
export PROXY_CMD="env EDGEPROXY_NO_BUILD=1 $ROOT/edgeproxy agent --listen 127.0.0.1:0 --admin '' \
--db $DATA/routing-\$BACKEND_PORT.db --app bench --region sa --drain-secs 0 \
--tls --tls-listen 127.0.0.1:\$LISTEN_PORT --tls-cert \$CERT_FILE --tls-key \$KEY_FILE --tls-provider $TLS_PROVIDER \
--http-access-log false"
if [[ $MODE == http ]]; then export TESTS=${TESTS:-tls_close tls_keepalive h2}; else export TESTS=${TESTS:-tls_close tls_keepalive}; fi
export HTTP_PORT=$port
exec "$BENCH/tls.sh"
