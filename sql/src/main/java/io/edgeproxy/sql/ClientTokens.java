package io.edgeproxy.sql;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Client tokens, in routing.db table {@code client_tokens}: each passes one app's requests through
 * the edge where the app has {@code auth = 'token'}, and nothing else (the discovery API and the
 * tunnels read {@code api_tokens} only). Only a SHA-256 of each token is stored.
 */
public final class ClientTokens {
  private static final String PREFIX = "edc_";
  private static final SecureRandom RANDOM = new SecureRandom();
  private static final Pattern HASH = Pattern.compile("[0-9a-f]{64}");

  private final RoutingDb db;

  public ClientTokens(RoutingDb db) {
    this.db = requireNonNull(db, "db");
  }

  /** Creates a client token of {@code app} and returns it; only its hash is kept. */
  public String create(String app, String note, long nowMs) {
    if (!RowValidator.isAppName(app)) {
      throw new IllegalArgumentException("app '" + app + "' (expected: 1-128 letters, digits, '.', '_' or '-')");
    }
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    db.write("INSERT INTO client_tokens (hash, app, created_ms, note) VALUES (?, ?, ?, ?)", ApiTokens.hash(token), app, nowMs, note);
    return token;
  }

  /** The valid rows: app by token hash; a bad row is skipped and described in {@code problems}. */
  static Map<String, String> read(Connection c, List<String> problems) throws SQLException {
    Map<String, String> out = new LinkedHashMap<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT rowid, hash, app FROM client_tokens ORDER BY rowid")) {
      while (rs.next()) {
        String where = "client_tokens row (rowid " + rs.getLong(1) + ") skipped: ";
        String hash = RowValidator.text(rs.getObject(2));
        String app = RowValidator.text(rs.getObject(3));
        if (hash == null || !HASH.matcher(hash).matches()) {
          problems.add(where + "hash: " + RowValidator.show(rs.getObject(2)) + " (expected: 64 lower-case hex digits, a SHA-256)");
        } else if (!RowValidator.isAppName(app)) {
          problems.add(where + "app: " + RowValidator.show(rs.getObject(3)) + " (expected: 1-128 letters, digits, '.', '_' or '-')");
        } else {
          out.put(hash, app);
        }
      }
    }
    return out;
  }
}
