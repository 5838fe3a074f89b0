package io.edgeproxy.sql;

import java.sql.ResultSet;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * routing.db's ACME tables as the certificate manager uses them: order leases and outcomes
 * ({@code acme_orders}), HTTP-01 answers ({@code acme_challenges}), and issued certificates
 * ({@code certificates}, source {@code 'acme'}). Every write goes through change capture, so it
 * replicates.
 */
public final class AcmeRows {
  /** One acme_orders row. */
  public record Order(String hostname, @Nullable String node, long leaseUntilMs, int failures, long nextTryMs,
      @Nullable String lastError) {}

  private final RoutingDb db;

  public AcmeRows(RoutingDb db) {
    this.db = db;
  }

  /** Every acme_orders row, by hostname. */
  public Map<String, Order> orders() {
    return db.read(c -> {
      Map<String, Order> out = new LinkedHashMap<>();
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
          "SELECT hostname, node, lease_until_ms, failures, next_try_ms, last_error FROM acme_orders ORDER BY hostname")) {
        while (rs.next()) {
          String name = rs.getString(1);
          if (name != null) {
            out.put(name, new Order(name, rs.getString(2), rs.getLong(3), rs.getInt(4), rs.getLong(5), rs.getString(6)));
          }
        }
      }
      return out;
    });
  }

  /** {@code node} orders {@code hostname} until {@code untilMs}. */
  public void lease(String hostname, String node, long untilMs) {
    db.write("INSERT INTO acme_orders (hostname, node, lease_until_ms) VALUES (?, ?, ?) ON CONFLICT(hostname) DO UPDATE"
        + " SET node = excluded.node, lease_until_ms = excluded.lease_until_ms", hostname, node, untilMs);
  }

  /** The order succeeded: the lease ends, the failure count and back-off are cleared. */
  public void succeeded(String hostname, String node) {
    db.write("UPDATE acme_orders SET node = ?, lease_until_ms = 0, failures = 0, next_try_ms = 0, last_error = NULL"
        + " WHERE hostname = ?", node, hostname);
  }

  /** The order failed: the lease ends; no new attempt before {@code nextTryMs}. */
  public void failed(String hostname, String node, int failures, long nextTryMs, String error) {
    db.write("UPDATE acme_orders SET node = ?, lease_until_ms = 0, failures = ?, next_try_ms = ?, last_error = ?"
        + " WHERE hostname = ?", node, failures, nextTryMs, error, hostname);
  }

  public void publishChallenge(String token, String keyAuthorization, String hostname, long expiresMs) {
    db.write("INSERT OR REPLACE INTO acme_challenges (token, key_authorization, hostname, expires_ms) VALUES (?, ?, ?, ?)",
        token, keyAuthorization, hostname, expiresMs);
  }

  public void withdrawChallenge(String token) {
    db.write("DELETE FROM acme_challenges WHERE token = ?", token);
  }

  /** Removes answers left behind (a POP that died in the middle of an order). */
  public int dropExpiredChallenges(long nowMs) {
    return db.write("DELETE FROM acme_challenges WHERE expires_ms < ?", nowMs);
  }

  /** Stores an issued certificate; a newer one for the same name replaces it. */
  public void storeCertificate(String hostname, String chainPem, String keySealed, long notAfterMs) {
    db.upsertCertificate(hostname, chainPem, keySealed, notAfterMs, "acme");
  }
}
