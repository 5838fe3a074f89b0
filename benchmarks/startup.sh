#!/usr/bin/env bash
# Start-up of an L4 agent, from exec to its listener accepting and to the first reply proxied to an
# nginx behind it (the shared harness's startup.py), for this build and optionally another one,
# alternating sample by sample so both see the same machine. Each build's first runs write its
# class-data archive (the launcher makes one per jar) and are not counted. Figures go to
# docs/benchmarks.md by hand.
#
#   benchmarks/startup.sh                                  # this build, 10 samples
#   OTHER=/path/to/other/checkout SAMPLES=15 benchmarks/startup.sh   # A/B against another build
#
# Each build's routing.db is made once and kept across its samples, as the shared L4 harness keeps
# it across runs and as an operator's restart finds it: migrated by the first (warm-up) start.
# FRESH_DB=1 makes it anew (at the first migration's schema) before every sample instead, which
# measures the first start after an upgrade: about 100 ms more, the twelve migrations.
#
# Needs: nginx sqlite3 python3 (Debian packages). Ports 28082 (nginx) and 24100 (the agent).
# Env: SAMPLES (10), WARMUP (2), OTHER (none), FRESH_DB (0), BENCH (harness dir), EDGEPROXY_JAVA_OPTS.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=${BENCH:-$ROOT/../shared/bench}
SAMPLES=${SAMPLES:-10}
WARMUP=${WARMUP:-2}
TREES=("$ROOT")
[[ -n ${OTHER:-} ]] && TREES+=("$OTHER")
D=$ROOT/benchmarks/target/startup
mkdir -p "$D/www"
printf 'hello from the bench backend\n' >"$D/www/index.html"
for tree in "${TREES[@]}"; do "$tree/edgeproxy" --version >/dev/null; done # built once, up front

cat >"$D/nginx.conf" <<NGINX
daemon off; worker_processes 1; pid $D/nginx.pid; error_log $D/nginx-error.log warn;
events { worker_connections 1024; }
http { access_log off; server { listen 127.0.0.1:28082; root $D/www; location / { } } }
NGINX
nginx -p "$D" -e "$D/nginx-error.log" -c "$D/nginx.conf" &
NGINX=$!
trap 'kill $NGINX 2>/dev/null || true' EXIT
. "$ROOT/benchmarks/bench-db.sh"

sample() { # tree index -> one JSON line {"listen_ms":..,"first_ms":..}
  local tree=$1 i=$2 s=$3
  if [[ ${FRESH_DB:-0} == 1 || $s == 1 ]]; then bench_routing_db "$D/routing-$i.db" 28082; fi
  python3 "$BENCH/startup.py" --port 24100 --timeout 60 --log "$D/agent-$i.log" -- \
    "env EDGEPROXY_NO_BUILD=1 $tree/edgeproxy agent --listen 127.0.0.1:24100 --db $D/routing-$i.db --app bench --region sa --drain-secs 0"
  for ((k = 0; k < 500; k++)); do (echo >/dev/tcp/127.0.0.1/24100) 2>/dev/null || break; sleep 0.01; done
}

declare -A first listen
for ((s = 1; s <= WARMUP + SAMPLES; s++)); do
  for i in "${!TREES[@]}"; do
    j=$(sample "${TREES[$i]}" "$i" "$s")
    if ((s > WARMUP)); then
      first[$i]+="$(jq '.first_ms' <<<"$j") "
      listen[$i]+="$(jq '.listen_ms' <<<"$j") "
    fi
  done
done
for i in "${!TREES[@]}"; do
  echo "${TREES[$i]}: first reply ms (median, min-max): $(tr ' ' '\n' <<<"${first[$i]}" | grep . | sort -n | awk '{a[NR]=$1} END {printf "%.0f, %.0f-%.0f", a[int((NR+1)/2)], a[1], a[NR]}');" \
    "listening ms: $(tr ' ' '\n' <<<"${listen[$i]}" | grep . | sort -n | awk '{a[NR]=$1} END {printf "%.0f, %.0f-%.0f", a[int((NR+1)/2)], a[1], a[NR]}')"
done
