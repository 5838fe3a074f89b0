#!/usr/bin/env bash
# One agent's HTTPS edge in HTTP mode (OpenSSL) in front of a one-worker nginx, loaded by h2load
# (HTTP/2, 50 connections x 10 streams) or wrk (HTTP/1.1 keep-alive, 50 connections): requests/s,
# the agent's CPU per request and the bytes it allocated per request (from its GC log), either on a
# fresh JVM (the first 10 s, as the shared harness's runs are) or warm (after WARM seconds of load).
# Where the harness's ratios move with the machine, this shows what one agent costs. Figures go to
# docs/benchmarks.md by hand.
#
#   benchmarks/http-edge-cpu.sh                     # h2, fresh then warm
#   LOAD=keepalive PHASES=warm benchmarks/http-edge-cpu.sh
#   TREE=/path/to/other/checkout benchmarks/http-edge-cpu.sh   # the same for another build
#
# Needs: nginx h2load wrk sqlite3 curl openssl (Debian packages). Ports 28081 and 28443.
# Env: LOAD (h2|keepalive), PHASES ("fresh warm"), WARM (20), SECONDS_MEASURED (10), TREE (this one),
#      EDGEPROXY_JAVA_OPTS (added to the agent's).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
TREE=${TREE:-$ROOT}
LOAD=${LOAD:-h2}
PHASES=${PHASES:-fresh warm}
WARM=${WARM:-20}
MEASURED=${SECONDS_MEASURED:-10}
D=$ROOT/benchmarks/target/http-edge-cpu
mkdir -p "$D/www"
printf 'hello from the bench backend\n' >"$D/www/index.html"
"$TREE/edgeproxy" --version >/dev/null # built once, up front

cat >"$D/nginx.conf" <<NGINX
daemon off; worker_processes 1; pid $D/nginx.pid; error_log $D/nginx-error.log warn;
events { worker_connections 4096; }
http { access_log off; keepalive_requests 100000000; keepalive_timeout 300s;
  server { listen 127.0.0.1:28081 backlog=4096; root $D/www; location / { } } }
NGINX
nginx -p "$D" -e "$D/nginx-error.log" -c "$D/nginx.conf" &
NGINX=$!
[[ -f $D/cert.pem ]] || openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 7 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost" -keyout "$D/key.pem" -out "$D/cert.pem" 2>/dev/null
. "$ROOT/benchmarks/bench-db.sh"
bench_routing_db "$D/routing.db" 28081
EDGEPROXY_NO_BUILD=1 "$TREE/edgeproxy" sql --write --db "$D/routing.db" --admin 127.0.0.1:1 \
  "INSERT INTO apps (name, protocol) VALUES ('bench', 'http')" >/dev/null 2>&1 # migrated to the current schema first
AGENT=
cleanup() { [[ -n $AGENT ]] && kill "$AGENT" 2>/dev/null; kill "$NGINX" 2>/dev/null; wait 2>/dev/null || true; }
trap cleanup EXIT
trap 'exit 1' INT TERM

load() { # seconds
  if [[ $LOAD == h2 ]]; then
    h2load -c50 -m10 -t2 -D"$1" https://localhost:28443/ 2>&1 | sed -n 's/.*finished in [0-9.]*s, \([0-9.]*\) req\/s.*/\1/p'
  else
    wrk -t2 -c50 -d"${1}s" https://localhost:28443/ | sed -n 's/^Requests\/sec: *\([0-9.]*\)/\1/p'
  fi
}

# Bytes allocated between young collections, in MB: the sum of (used before one - used after the previous).
allocated_mb() {
  python3 - "$1" <<'PY'
import re, sys
pairs = [(int(m.group(1)), int(m.group(2))) for m in
         (re.search(r'Pause Young.*? (\d+)M->(\d+)M', l) for l in open(sys.argv[1])) if m]
print(sum(pairs[i + 1][0] - pairs[i][1] for i in range(len(pairs) - 1)))
PY
}

for phase in $PHASES; do
  rm -f "$D/gc.log"
  EDGEPROXY_JAVA_OPTS="-Xlog:gc:file=$D/gc.log ${EDGEPROXY_JAVA_OPTS:-}" EDGEPROXY_NO_BUILD=1 "$TREE/edgeproxy" agent \
    --listen 127.0.0.1:0 --admin '' --db "$D/routing.db" --app bench --region sa --drain-secs 0 --tls \
    --tls-listen 127.0.0.1:28443 --tls-cert "$D/cert.pem" --tls-key "$D/key.pem" --tls-provider openssl \
    --http-access-log false >"$D/agent.log" 2>&1 &
  AGENT=$!
  for _ in $(seq 200); do curl -sfk https://localhost:28443/ >/dev/null 2>&1 && break; sleep 0.05; done
  PID=$(pgrep -P "$AGENT" java || echo "$AGENT")
  [[ $phase == warm ]] && load "$WARM" >/dev/null
  read -r u0 s0 < <(awk '{print $14, $15}' "/proc/$PID/stat")
  mb0=$(allocated_mb "$D/gc.log")
  rps=$(load "$MEASURED")
  read -r u1 s1 < <(awk '{print $14, $15}' "/proc/$PID/stat")
  mb1=$(allocated_mb "$D/gc.log")
  python3 - "$phase" "$LOAD" "$rps" "$u0" "$s0" "$u1" "$s1" "$mb0" "$mb1" "$MEASURED" "$(getconf CLK_TCK)" <<'PY'
import sys
phase, load, rps, u0, s0, u1, s1, mb0, mb1, secs, hz = sys.argv[1:]
requests = float(rps) * int(secs)
cpu = (int(u1) - int(u0) + int(s1) - int(s0)) / int(hz)
print(f"{phase} {load}: {float(rps):,.0f} requests/s, agent CPU {cpu / requests * 1e6:.1f} us/request "
      f"({(int(s1) - int(s0)) / int(hz) / requests * 1e6:.1f} in the kernel), "
      f"{(int(mb1) - int(mb0)) * 1024 / requests:.1f} KB allocated/request")
PY
  kill "$AGENT"; wait "$AGENT" 2>/dev/null || true; AGENT=
done
