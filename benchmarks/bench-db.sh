# Sourced by the benchmark scripts. bench_routing_db DB PORT: a fresh routing.db with one unlimited
# backend of app "bench" on 127.0.0.1:PORT, its schema made by the product's own first migration
# (the agent migrates it the rest of the way, as it would an old file).
bench_routing_db() {
  local db=$1 port=$2
  rm -f "$db" "$db-wal" "$db-shm"
  sqlite3 "$db" <"$ROOT/sql/src/main/resources/db/migration/V1__routing_schema.sql"
  sqlite3 "$db" "PRAGMA user_version = 1; PRAGMA journal_mode = WAL;
    INSERT INTO backends (id, app, region, country, wg_ip, port, healthy, weight, soft_limit, hard_limit)
    VALUES ('bench-$port', 'bench', 'sa', 'BR', '127.0.0.1', $port, 1, 1, 1000, 0);" >/dev/null
}
