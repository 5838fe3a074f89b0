#!/usr/bin/env bash
# Device tunnel benchmark (docs/benchmarks.md): one edgeproxy tunnel against an OpenSSH reverse
# tunnel (ssh -R) and against no tunnel at all, in one interleaved run on loopback.
#
#   benchmarks/tunnel.sh                 # REPS=2
#   REPS=3 DURATION=10 benchmarks/tunnel.sh
#
# The app is an nginx serving a small page and a 256 MiB file. Paths ("peers"):
#   direct   the client connects to nginx
#   ssh      the client connects to sshd's forwarded port; ssh -R carries it to nginx
#   edgeproxy the client connects to a POP's TCP listener for app "dev"; the POP opens a stream
#            through the agent's QUIC tunnel (edgeproxy tunnel run) and the agent connects to nginx
#   edgeproxy-tcp  the same through the TCP fallback (--transport tcp: TLS + HTTP/2 to the HTTPS edge)
# Tests: rps (wrk, 50 keep-alive connections, small page; p50/p99; CPU per request of the path's
# processes: the POP and the agent, or sshd and ssh), serial (wrk, 1 connection:
# the latency a tunnel adds at low load), bulk (curl, the 256 MiB file, MB/s: the first download on
# fresh processes, then the best of BULK_RUNS=3 more), mem (RSS of the
# tunnel's processes per 1,000 idle connections open through it: HOLD=1000 minus idle, and
# between HOLD and HOLD2=4000, which leaves out what a young JVM's RSS grows by itself).
# TESTS (default "rps serial bulk mem") picks some of them.
# Needs: nginx wrk curl openssl sqlite3 python3 ssh sshd (Debian: nginx wrk curl openssl sqlite3
# openssh-client openssh-server).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
HERE=${BENCH:-$ROOT/../shared/bench}
. "$HERE/lib.sh"
REPS=${REPS:-2}
TESTS=${TESTS:-rps serial bulk mem}
DURATION=${DURATION:-10}
CONNS=${CONNS:-50}
APP_PORT=${APP_PORT:-28181}
SSH_PORT=${SSH_PORT:-28122}
SSH_FWD=${SSH_FWD:-28123}
POP_PORT=${POP_PORT:-28124}
TUNNEL_PORT=${TUNNEL_PORT:-28125}
EDGE_PORT=${EDGE_PORT:-28126}
HOLD=${HOLD:-1000}
HOLD2=${HOLD2:-4000}
. "$ROOT/benchmarks/peers.sh"
bench_start tunnel nginx wrk curl openssl sqlite3 python3 ssh /usr/sbin/sshd

# The app: nginx with a small page and a large file.
mkdir -p "$RUN/www"
printf 'hello from the device\n' >"$RUN/www/index.html"
head -c $((256 << 20)) /dev/zero >"$RUN/www/big"
cat >"$RUN/nginx.conf" <<EOF
daemon off; worker_processes 1; pid $RUN/nginx.pid; error_log $RUN/nginx-error.log warn;
events { worker_connections 8192; }
http { access_log off; keepalive_requests 100000000; sendfile on;
  server { listen 127.0.0.1:$APP_PORT backlog=4096; root $RUN/www; location / { } } }
EOF
assert_port_free "$APP_PORT"
start_bg "$RUN/nginx.log" "nginx -p $RUN -e $RUN/nginx-error.log -c $RUN/nginx.conf"
wait_listen "$APP_PORT" 20 tcp "$BG_PID" || die "nginx did not start"

# OpenSSH: sshd on loopback with a host key and one authorized key made for this run.
ssh-keygen -q -t ed25519 -N '' -f "$RUN/host_key"
ssh-keygen -q -t ed25519 -N '' -f "$RUN/client_key"
cp "$RUN/client_key.pub" "$RUN/authorized_keys"
chmod 600 "$RUN/authorized_keys"
cat >"$RUN/sshd_config" <<EOF
Port $SSH_PORT
ListenAddress 127.0.0.1
HostKey $RUN/host_key
PidFile $RUN/sshd.pid
AuthorizedKeysFile $RUN/authorized_keys
PasswordAuthentication no
PermitRootLogin prohibit-password
StrictModes no
AllowTcpForwarding yes
UsePAM no
EOF
mkdir -p /run/sshd
ssh_cmd="ssh -N -T -i $RUN/client_key -p $SSH_PORT -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null \
-o ExitOnForwardFailure=yes -o ServerAliveInterval=10 -R 127.0.0.1:$SSH_FWD:127.0.0.1:$APP_PORT root@127.0.0.1"

# edgeproxy: a POP with the tunnel listener and a TCP listener for app "dev" (no backends row: the
# tunnel is its only backend), an API token of the app, and the agent.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=localhost" \
  -addext "subjectAltName=DNS:localhost" -keyout "$RUN/pop.key" -out "$RUN/pop.crt" 2>/dev/null
DB=$RUN/routing.db
sqlite3 "$DB" <"$ROOT/sql/src/main/resources/db/migration/V1__routing_schema.sql"
sqlite3 "$DB" "PRAGMA user_version = 1; PRAGMA journal_mode = WAL;" >/dev/null
TOKEN=$(EDGEPROXY_NO_BUILD=1 "$ROOT/edgeproxy" token create --app dev --db "$DB" 2>/dev/null | tail -1)
[[ -n $TOKEN ]] || die "cannot make an API token for app dev"
pop_cmd="env EDGEPROXY_NO_BUILD=1 $ROOT/edgeproxy agent --listen 127.0.0.1:$POP_PORT --app dev --admin '' --db $DB \
--region sa --drain-secs 0 --tls --tls-listen 127.0.0.1:$EDGE_PORT --tls-cert $RUN/pop.crt --tls-key $RUN/pop.key \
--tunnels --tunnel-listen 127.0.0.1:$TUNNEL_PORT"
agent_cmd="env EDGEPROXY_NO_BUILD=1 EDGEPROXY_TUNNEL_TOKEN=$TOKEN $ROOT/edgeproxy tunnel run --app dev \
--to 127.0.0.1:$APP_PORT --pops localhost:$TUNNEL_PORT --ca $RUN/pop.crt --keep 1"

# start NAME: starts the path's processes (fresh for every test); sets PIDS and PORT.
start() {
  PIDS=()
  case $1 in
    direct) PORT=$APP_PORT ;;
    ssh)
      assert_port_free "$SSH_PORT"
      start_bg "$RUN/sshd.log" "/usr/sbin/sshd -D -e -f $RUN/sshd_config"; PIDS+=("$BG_PID")
      wait_listen "$SSH_PORT" 20 tcp "$BG_PID" || die "sshd did not start (see $RUN/sshd.log)"
      start_bg "$RUN/ssh.log" "$ssh_cmd"; PIDS+=("$BG_PID")
      wait_listen "$SSH_FWD" 20 tcp "$BG_PID" || die "ssh -R did not forward (see $RUN/ssh.log)"
      PORT=$SSH_FWD ;;
    edgeproxy|edgeproxy-tcp)
      assert_port_free "$POP_PORT"
      start_bg "$RUN/pop.log" "$pop_cmd"; PIDS+=("$BG_PID")
      wait_listen "$TUNNEL_PORT" 60 udp "$BG_PID" || die "the POP did not start (see $RUN/pop.log)"
      if [[ $1 == edgeproxy-tcp ]]; then
        start_bg "$RUN/agent.log" "$agent_cmd --transport tcp --fallback-port $EDGE_PORT"; PIDS+=("$BG_PID")
      else
        start_bg "$RUN/agent.log" "$agent_cmd"; PIDS+=("$BG_PID")
      fi
      local i
      for ((i = 0; i < 300; i++)); do
        curl -s -m 1 -o /dev/null "http://127.0.0.1:$POP_PORT/" && break
        sleep 0.1
      done
      ((i < 300)) || die "no answer through the tunnel (see $RUN/pop.log, $RUN/agent.log)"
      PORT=$POP_PORT ;;
  esac
  curl -sf -m 5 -o /dev/null "http://127.0.0.1:$PORT/" || die "$1: no answer on port $PORT"
}
stop() {
  local p
  for p in "${PIDS[@]}"; do stop_tree "$p"; done
}
rss_kb() { local p t=0; for p in "${PIDS[@]}"; do t=$((t + $(tree_rss_kb "$p"))); done; echo "$t"; }
cpu_ticks() { local p t=0; for p in "${PIDS[@]}"; do t=$((t + $(tree_cpu_ticks "$p"))); done; echo "$t"; }

t_wrk() { # name rep test conns: wrk's figures, plus the CPU of the path's processes per request
  local f=$RUN/$3-$1-r$2.txt c0 c1 n
  start "$1"
  c0=$(cpu_ticks)
  wrk -t"$(( $4 < 2 ? 1 : 2 ))" -c"$4" -d"${DURATION}s" --latency "http://127.0.0.1:$PORT/" >"$f" 2>&1 || log "wrk through $1 failed (see $f)"
  c1=$(cpu_ticks)
  python3 "$HERE/parse_wrk.py" "$f" | while read -r k v; do result "$1" "$3" "$2" "$k" "$v"; done
  n=$(awk '/requests in/ {print $1}' "$f")
  if [[ $1 != direct && -n $n && $n -gt 0 ]]; then
    result "$1" "$3" "$2" cpu_us_per_req "$(awk -v t=$((c1 - c0)) -v n="$n" -v hz="$(getconf CLK_TCK)" 'BEGIN{printf "%.1f", t / hz * 1e6 / n}')"
  fi
  stop
}
t_bulk() { # name rep: the first download on fresh processes (cold), then the best of BULK_RUNS more (warm)
  local mbps best=0 i
  start "$1"
  mbps=$(curl -s -o /dev/null -w '%{speed_download}' "http://127.0.0.1:$PORT/big" | awk '{printf "%.1f", $1 / 1e6}')
  result "$1" bulk "$2" MB_per_s_cold "$mbps"
  for ((i = 0; i < ${BULK_RUNS:-3}; i++)); do
    mbps=$(curl -s -o /dev/null -w '%{speed_download}' "http://127.0.0.1:$PORT/big" | awk '{printf "%.1f", $1 / 1e6}')
    best=$(awk -v a="$best" -v b="$mbps" 'BEGIN{print (b > a ? b : a)}')
  done
  result "$1" bulk "$2" MB_per_s_warm "$best"
  stop
}
hold() { # count: opens count more idle connections through the path, held until stop_holders
  local ready=$RUN/hold-ready-$1-$RANDOM
  python3 "$HERE/holdconns.py" client --port "$PORT" -n "$1" --ready-file "$ready" --max-seconds 300 &
  HOLDERS+=("$!")
  for ((i = 0; i < 900; i++)); do [[ -s $ready ]] && break; sleep 0.1; done
  sleep 2
}
stop_holders() { local h; for h in "${HOLDERS[@]}"; do kill "$h" 2>/dev/null || true; wait "$h" 2>/dev/null || true; done; }
t_mem() { # name rep: RSS per 1,000 idle connections, from idle (as before) and between HOLD and HOLD2
  # A young JVM's RSS grows by itself while its heap's young generation is first written (10 MB
  # per JVM, two JVMs on the edgeproxy paths), so the figure from idle carries that; the slope
  # between HOLD and HOLD2 connections does not.
  local idle at1 at2
  start "$1"
  [[ $1 == direct ]] && { stop; return; }
  HOLDERS=()
  idle=$(rss_kb)
  hold "$HOLD"
  at1=$(rss_kb)
  hold "$((HOLD2 - HOLD))"
  at2=$(rss_kb)
  stop_holders
  result "$1" mem "$2" rss_mb_per_1000 "$(awk -v a="$idle" -v b="$at1" -v n="$HOLD" 'BEGIN{printf "%.1f", (b-a)/1024*1000/n}')"
  result "$1" mem "$2" rss_mb_per_1000_between "$(awk -v a="$at1" -v b="$at2" -v n="$((HOLD2 - HOLD))" 'BEGIN{printf "%.1f", (b-a)/1024*1000/n}')"
  stop
}

{
  echo "date: $(date -Is)"; echo "host: $(nproc) cpus, kernel $(uname -r)"
  echo "ssh: $(ssh -V 2>&1)"; echo "nginx: $(nginx -v 2>&1)"; echo "wrk: $(wrk -v 2>&1 | head -1)"
  echo "settings: REPS=$REPS DURATION=$DURATION CONNS=$CONNS HOLD=$HOLD HOLD2=$HOLD2 TESTS='$TESTS'"
} >"$OUT/env.txt"
PEERS=(${PEERS:-direct ssh edgeproxy edgeproxy-tcp})
for ((rep = 1; rep <= REPS; rep++)); do
  host_snapshot >>"$RUN/host.log"
  order=(); for ((i = 0; i < ${#PEERS[@]}; i++)); do order+=("${PEERS[(i + rep - 1) % ${#PEERS[@]}]}"); done
  for name in "${order[@]}"; do
    log "rep $rep/$REPS  $name"
    [[ " $TESTS " == *" rps "* ]] && t_wrk "$name" "$rep" rps "$CONNS"
    [[ " $TESTS " == *" serial "* ]] && t_wrk "$name" "$rep" serial 1
    [[ " $TESTS " == *" bulk "* ]] && t_bulk "$name" "$rep"
    [[ " $TESTS " == *" mem "* ]] && t_mem "$name" "$rep"
  done
done
python3 "$HERE/summarize.py" --ref ssh "$OUT/results.tsv" >"$OUT/summary.md"
log "done: $OUT/summary.md"
cat "$OUT/summary.md"
