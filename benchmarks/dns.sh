#!/usr/bin/env bash
# DNS benchmark of edgeproxy against knot and unbound in one interleaved run, with the shared
# harness (../shared/bench/dns.sh). Figures go to docs/benchmarks.md by hand.
#
#   benchmarks/dns.sh                         # qps and latency, 3 repetitions
#   REPS=1 benchmarks/dns.sh
#
# The harness serves knot and unbound gen_zone.py's zone (internal.: 42 A, 30 AAAA, 25 SRV). This
# script builds a routing.db that yields the same names and record counts: app hostNN with one IPv4
# backend (and one IPv6 for 01-30), apps ns1 and ns2, app svcNN with one backend on port 8000+NN,
# so _svcNN._tcp.internal SRV has one answer and its target's A in the additional section.
# Rate limiting is off (dnsperf is one source); TTL 300 as in the zone file.
#
# Needs: dnsperf knot unbound bind9-dnsutils sqlite3 python3 (Debian packages).
# Env: BENCH (harness dir), plus every dns.sh knob (REPS, DURATION, TESTS, DNS_PORT, ...).
# The launcher's EDGEPROXY_JAVA_OPTS and EDGEPROXY_NO_BUILD=1 (use the jar as built) pass through.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
BENCH=${BENCH:-$ROOT/../shared/bench}
DATA=$ROOT/benchmarks/target/dns
mkdir -p "$DATA"

# The jar, built once up front (the launcher does not rebuild during the run).
"$ROOT/edgeproxy" --version >/dev/null

db=$DATA/routing.db
rm -f "$db" "$db-wal" "$db-shm"
sqlite3 "$db" <"$ROOT/sql/src/main/resources/db/migration/V1__routing_schema.sql"
{
  echo "PRAGMA user_version = 1; PRAGMA journal_mode = WAL; BEGIN;"
  row() { echo "INSERT INTO backends (id, app, region, country, wg_ip, port, healthy, weight, soft_limit, hard_limit)
    VALUES ('$1', '$2', 'sa', 'BR', '$3', $4, 1, 1, 1000, 0);"; }
  row ns1-1 ns1 10.0.0.1 53
  row ns2-1 ns2 10.0.0.2 53
  for i in $(seq 1 40); do row "$(printf 'host%02d-4' "$i")" "$(printf 'host%02d' "$i")" "10.1.$((i / 256)).$((i % 256))" 80; done
  for i in $(seq 1 30); do row "$(printf 'host%02d-6' "$i")" "$(printf 'host%02d' "$i")" "$(printf 'fd00::1:%x' "$i")" 80; done
  for i in $(seq 1 25); do row "$(printf 'svc%02d-1' "$i")" "$(printf 'svc%02d' "$i")" "10.1.0.$i" $((8000 + i)); done
  echo "COMMIT;"
} | sqlite3 "$db" >/dev/null

export DNS_NAME=${DNS_NAME:-edgeproxy}
export DNS_CMD="env EDGEPROXY_NO_BUILD=1 $ROOT/edgeproxy agent --db $db --region sa --listen 127.0.0.1:0 --admin '' \
--dns --dns-listen 127.0.0.1:\$DNS_PORT --dns-rate-limit 0 --dns-ttl-secs 300"
exec "$BENCH/dns.sh"
