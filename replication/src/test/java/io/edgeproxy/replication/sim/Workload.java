package io.edgeproxy.replication.sim;

import io.edgeproxy.sql.RowKey;
import java.util.List;
import java.util.Random;

/**
 * The writes simulated POPs make, as operators and the appliance make them: SQL through the capture
 * triggers on every replicated table (inserts, single-column updates, deletes, re-inserts, key
 * changes, lease renewals), over a few keys so that writes collide. Each names the rows it may touch.
 */
final class Workload {
  /** A write: SQL with ?1 = a key, ?2 = a small number, ?3 = a time (as many as it uses). */
  record Write(String sql, String table, boolean changesKey, boolean nextSchemaOnly) {
    int parameters() {
      return sql.contains("?3") ? 3 : sql.contains("?2") ? 2 : 1;
    }

    List<RowKey> touched(String key, long number) {
      return changesKey ? List.of(new RowKey(table, key), new RowKey(table, "k" + number)) : List.of(new RowKey(table, key));
    }
  }

  static final List<Write> WRITES = List.of(
      new Write("INSERT OR REPLACE INTO backends (id, app, region, wg_ip, port, weight) VALUES (?1, 'web', 'sa', '10.0.0.1', ?2 + 1, 1)",
          "backends", false, false),
      new Write("UPDATE backends SET weight = ?2 WHERE id = ?1", "backends", false, false),
      new Write("UPDATE backends SET healthy = ?2 % 2 WHERE id = ?1", "backends", false, false),
      new Write("DELETE FROM backends WHERE id = ?1", "backends", false, false),
      new Write("UPDATE OR IGNORE backends SET id = 'k' || ?2 WHERE id = ?1", "backends", true, false),
      new Write("INSERT INTO apps (name, proxy_protocol) VALUES (?1, ?2 % 2) ON CONFLICT(name) DO UPDATE SET"
          + " proxy_protocol = excluded.proxy_protocol", "apps", false, false),
      new Write("DELETE FROM apps WHERE name = ?1", "apps", false, false),
      new Write("INSERT OR REPLACE INTO region_countries (country, region) VALUES (?1, 'r' || ?2)", "region_countries", false, false),
      new Write("DELETE FROM region_countries WHERE country = ?1", "region_countries", false, false),
      new Write("INSERT OR REPLACE INTO api_tokens (hash, scope, created_ms) VALUES (?1, 'web', ?3)", "api_tokens", false, false),
      new Write("DELETE FROM api_tokens WHERE hash = ?1", "api_tokens", false, false),
      new Write("INSERT OR REPLACE INTO health_checks (app, type, interval_ms) VALUES (?1, 'tcp', 100 * (?2 + 1))",
          "health_checks", false, false),
      new Write("UPDATE health_checks SET rise = ?2 + 1 WHERE app = ?1", "health_checks", false, false),
      new Write("DELETE FROM health_checks WHERE app = ?1", "health_checks", false, false),
      new Write("INSERT OR IGNORE INTO registrations (id, app, ttl_ms, expires_ms) VALUES (?1, 'web', 1000 * ?2, ?3)",
          "registrations", false, false),
      new Write("UPDATE registrations SET expires_ms = max(expires_ms, ?3), ttl_ms = ?2 WHERE id = ?1", "registrations", false, false),
      new Write("DELETE FROM registrations WHERE id = ?1", "registrations", false, false),
      new Write("INSERT OR REPLACE INTO hostnames (hostname, app, mode) VALUES (?1, 'web', 'm' || ?2)", "hostnames", false, false),
      new Write("UPDATE hostnames SET app = 'a' || ?2 WHERE hostname = ?1", "hostnames", false, false),
      new Write("DELETE FROM hostnames WHERE hostname = ?1", "hostnames", false, false),
      new Write("INSERT INTO certificates (hostname, chain_pem, key_sealed, not_after_ms) VALUES (?1, 'c' || ?2, 'v1:' || ?2, ?3)"
          + " ON CONFLICT(hostname) DO UPDATE SET chain_pem = excluded.chain_pem, key_sealed = excluded.key_sealed,"
          + " not_after_ms = excluded.not_after_ms", "certificates", false, false),
      new Write("DELETE FROM certificates WHERE hostname = ?1", "certificates", false, false),
      new Write("INSERT OR REPLACE INTO future_rows (id, app, scope) VALUES (?1, 'web', 'm' || ?2)", "future_rows", false, true),
      new Write("UPDATE apps SET future_flag = ?2 % 2 WHERE name = ?1", "apps", false, true),
      new Write("DELETE FROM future_rows WHERE id = ?1", "future_rows", false, true));

  private Workload() {}

  static Write pick(Random random, boolean nextSchema) {
    while (true) {
      Write w = WRITES.get(random.nextInt(WRITES.size()));
      if (nextSchema || !w.nextSchemaOnly()) {
        return w;
      }
    }
  }
}
