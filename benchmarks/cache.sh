#!/usr/bin/env bash
# Edge cache benchmark (docs/benchmarks.md): edgeproxy's cache (an app in HTTP mode with
# apps.cache = 1, on its plain HTTP listener) against Varnish and nginx proxy_cache, in one
# interleaved run on loopback, all three in front of the same origin.
#
#   benchmarks/cache.sh                  # REPS=2
#   REPS=3 DURATION=10 WARMUP=5 benchmarks/cache.sh
#
# The origin is a small Python server (origin.py below) that counts the requests it gets per path:
# /small (a 29-byte page) and /big (1 MiB), both Cache-Control: max-age=3600; /cold/N answered
# after ORIGIN_DELAY_MS (a cold key, new N per run). Peers are configured as their users would:
# Varnish with its defaults (it collapses concurrent misses), nginx with proxy_cache and
# proxy_cache_lock on (off by default: nginx would send every concurrent miss to the origin).
# Tests: small, big (wrk on a warm key, 50 and 10 connections: requests/s, p50/p99, and the cache
# process's CPU per request), stampede (STAMPEDE concurrent requests, one curl, for a cold key:
# origin requests and the time until all are answered).
# Needs: varnish nginx wrk curl python3 sqlite3 (Debian: varnish nginx wrk curl python3 sqlite3).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HERE=${BENCH:-$ROOT/../shared/bench}
. "$HERE/lib.sh"
REPS=${REPS:-2}
DURATION=${DURATION:-10}
WARMUP=${WARMUP:-5} # seconds of the same load before each measured one, for every peer (0: measure from cold)
STAMPEDE=${STAMPEDE:-1000}
ORIGIN_DELAY_MS=${ORIGIN_DELAY_MS:-500}
ORIGIN_PORT=${ORIGIN_PORT:-28201}
CACHE_PORT=${CACHE_PORT:-28202}
TLS_PORT=${TLS_PORT:-28203}
. "$ROOT/benchmarks/peers.sh"
bench_start cache varnishd nginx wrk curl python3 sqlite3

cat >"$RUN/origin.py" <<'EOF'
import http.server, socketserver, sys, threading, time, json
counts, lock = {}, threading.Lock()
small, big = b"hello from the origin, small\n", b"x" * (1 << 20)
delay = int(sys.argv[2]) / 1000
class H(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    def log_message(self, *a): pass
    def do_GET(self):
        if self.path == "/counts":
            body = json.dumps(counts).encode()
            self.send_response(200); self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body); return
        with lock: counts[self.path] = counts.get(self.path, 0) + 1
        if self.path.startswith("/cold/"): time.sleep(delay); body = small
        else: body = big if self.path == "/big" else small
        self.send_response(200)
        self.send_header("Cache-Control", "max-age=3600"); self.send_header("Content-Type", "text/plain")
        self.send_header("Content-Length", str(len(body))); self.end_headers(); self.wfile.write(body)
class S(socketserver.ThreadingMixIn, http.server.HTTPServer): daemon_threads = True; request_queue_size = 4096
S(("127.0.0.1", int(sys.argv[1])), H).serve_forever()
EOF
assert_port_free "$ORIGIN_PORT"
start_bg "$RUN/origin.log" "python3 $RUN/origin.py $ORIGIN_PORT $ORIGIN_DELAY_MS"
wait_listen "$ORIGIN_PORT" 20 tcp "$BG_PID" || die "the origin did not start"

mkdir -p "$RUN/nginx-cache"
cat >"$RUN/nginx.conf" <<EOF
daemon off; worker_processes 1; pid $RUN/nginx.pid; error_log $RUN/nginx-error.log warn;
events { worker_connections 8192; }
http { access_log off;
  proxy_cache_path $RUN/nginx-cache levels=1:2 keys_zone=edge:64m max_size=1g inactive=1h use_temp_path=off;
  upstream origin { server 127.0.0.1:$ORIGIN_PORT; keepalive 64; }
  server { listen 127.0.0.1:$CACHE_PORT backlog=4096;
    location / { proxy_pass http://origin; proxy_http_version 1.1; proxy_set_header Connection "";
      proxy_cache edge; proxy_cache_lock on; proxy_cache_lock_timeout 30s; proxy_cache_lock_age 30s;
      add_header X-Cache \$upstream_cache_status; } } }
EOF

DB=$RUN/routing.db
pop_cmd="env EDGEPROXY_NO_BUILD=1 $ROOT/edgeproxy agent --listen 127.0.0.1:0 --app '*' --admin '' --db $DB --region sa \
--drain-secs 0 --tls --tls-listen 127.0.0.1:$TLS_PORT --http-listen 127.0.0.1:$CACHE_PORT --domain bench.test --http-access-log false"

# start NAME: the cache (fresh for every test, with an empty cache).
start() {
  PIDS=()
  assert_port_free "$CACHE_PORT"
  case $1 in
    varnish)
      start_bg "$RUN/varnish.log" "varnishd -F -a 127.0.0.1:$CACHE_PORT -b 127.0.0.1:$ORIGIN_PORT -s malloc,256m -n $RUN/varnish-$RANDOM"
      PIDS+=("$BG_PID") ;;
    nginx)
      rm -rf "$RUN/nginx-cache"/*
      start_bg "$RUN/nginx.log" "nginx -p $RUN -e $RUN/nginx-error.log -c $RUN/nginx.conf"; PIDS+=("$BG_PID") ;;
    edgeproxy)
      rm -f "$DB" "$DB"-*
      EDGEPROXY_NO_BUILD=1 "$ROOT/edgeproxy" sql --db "$DB" --write \
        "INSERT INTO apps (name, protocol, http_redirect, cache) VALUES ('web', 'http', 0, 1)" \
        "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('origin', 'web', 'sa', '127.0.0.1', $ORIGIN_PORT)" \
        >>"$RUN/sql.log" 2>&1 || die "cannot write $DB (see $RUN/sql.log)"
      start_bg "$RUN/pop.log" "$pop_cmd"; PIDS+=("$BG_PID") ;;
  esac
  wait_listen "$CACHE_PORT" 60 tcp "${PIDS[0]}" || die "$1 did not start (see $RUN)"
  local i
  for ((i = 0; i < 100; i++)); do
    [[ $(curl -s -o /dev/null -w '%{http_code}' -H "Host: web.bench.test" "http://127.0.0.1:$CACHE_PORT/small") == 200 ]] && break
    sleep 0.1
  done
}
stop() {
  local p
  for p in "${PIDS[@]}"; do stop_tree "$p"; done
}
cpu_ticks() { local p t=0; for p in "${PIDS[@]}"; do t=$((t + $(tree_cpu_ticks "$p"))); done; echo "$t"; }
origin_count() { curl -s "http://127.0.0.1:$ORIGIN_PORT/counts" | python3 -c "import json,sys; print(json.load(sys.stdin).get('$1', 0))"; }

t_wrk() { # name rep test path conns
  local f=$RUN/$3-$1-r$2.txt before after requests
  start "$1"
  curl -s -o /dev/null -H "Host: web.bench.test" "http://127.0.0.1:$CACHE_PORT$4" # the miss that fills it
  if ((WARMUP > 0)); then # the same load, not measured: a long-running cache's steady state (a JVM's JIT warm)
    wrk -t2 -c"$5" -d"${WARMUP}s" -H "Host: web.bench.test" "http://127.0.0.1:$CACHE_PORT$4" >/dev/null 2>&1 || true
  fi
  before=$(cpu_ticks)
  wrk -t2 -c"$5" -d"${DURATION}s" --latency -H "Host: web.bench.test" "http://127.0.0.1:$CACHE_PORT$4" >"$f" 2>&1 \
    || log "wrk through $1 failed (see $f)"
  after=$(cpu_ticks)
  python3 "$HERE/parse_wrk.py" "$f" | while read -r k v; do result "$1" "$3" "$2" "$k" "$v"; done
  requests=$(awk '/requests in/ {print $1}' "$f")
  if [[ -n $requests && $requests -gt 0 ]]; then
    result "$1" "$3" "$2" cpu_us_per_req "$(awk -v t=$((after - before)) -v n="$requests" -v hz="$(getconf CLK_TCK)" \
      'BEGIN{printf "%.1f", t / hz * 1e6 / n}')"
  fi
  stop
}
t_stampede() { # name rep
  local key="/cold/$1-$2-$RANDOM" started ended ok
  start "$1"
  local args=()
  for ((i = 0; i < STAMPEDE; i++)); do args+=(-o /dev/null "http://127.0.0.1:$CACHE_PORT$key"); done
  started=$(date +%s%N)
  ok=$(curl -s --no-progress-meter -Z --parallel-immediate --parallel-max "$STAMPEDE" -H "Host: web.bench.test" \
    -w '%{http_code}\n' "${args[@]}" 2>/dev/null | grep -c '^200$' || true)
  ended=$(date +%s%N)
  result "$1" stampede "$2" answered_200 "$ok"
  result "$1" stampede "$2" origin_requests "$(origin_count "$key")"
  result "$1" stampede "$2" all_answered_ms "$(((ended - started) / 1000000))"
  stop
}

{
  echo "date: $(date -Is)"; echo "host: $(nproc) cpus, kernel $(uname -r)"
  echo "varnish: $(varnishd -V 2>&1 | head -1)"; echo "nginx: $(nginx -v 2>&1)"; echo "wrk: $(wrk -v 2>&1 | head -1)"
  echo "settings: REPS=$REPS DURATION=$DURATION WARMUP=$WARMUP STAMPEDE=$STAMPEDE ORIGIN_DELAY_MS=$ORIGIN_DELAY_MS"
} >"$OUT/env.txt"
PEERS=(${PEERS:-nginx varnish edgeproxy})
for ((rep = 1; rep <= REPS; rep++)); do
  host_snapshot >>"$RUN/host.log"
  order=(); for ((i = 0; i < ${#PEERS[@]}; i++)); do order+=("${PEERS[(i + rep - 1) % ${#PEERS[@]}]}"); done
  for name in "${order[@]}"; do
    log "rep $rep/$REPS  $name"
    t_wrk "$name" "$rep" small /small 50
    t_wrk "$name" "$rep" big /big 10
    t_stampede "$name" "$rep"
  done
done
python3 "$HERE/summarize.py" --ref nginx "$OUT/results.tsv" >"$OUT/summary.md"
log "done: $OUT/summary.md"
cat "$OUT/summary.md"
