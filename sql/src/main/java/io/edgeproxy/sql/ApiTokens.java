package io.edgeproxy.sql;

import static java.util.Objects.requireNonNull;

import java.security.SecureRandom;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.util.Base64;
import java.util.Optional;

/**
 * Bearer tokens of the discovery API, in routing.db table {@code api_tokens} so that they
 * replicate and work on every POP. Only a SHA-256 of each token is stored: the token itself is
 * shown once, when created, and never written anywhere.
 */
public final class ApiTokens {
  /** The scope of an admin token; any other scope is the name of the one app a token may manage. */
  public static final String ADMIN = "*";
  private static final String PREFIX = "edp_";
  private static final SecureRandom RANDOM = new SecureRandom();

  private final RoutingDb db;

  public ApiTokens(RoutingDb db) {
    this.db = requireNonNull(db, "db");
  }

  /** Creates a token for {@code scope} ({@link #ADMIN} or an app) and returns it; only its hash is kept. */
  public String create(String scope, String note, long nowMs) {
    byte[] secret = new byte[32];
    RANDOM.nextBytes(secret);
    String token = PREFIX + Base64.getUrlEncoder().withoutPadding().encodeToString(secret);
    db.write("INSERT INTO api_tokens (hash, scope, created_ms, note) VALUES (?, ?, ?, ?)", hash(token), scope, nowMs, note);
    return token;
  }

  /** The scope of {@code token}, or empty when no such token exists. */
  public Optional<String> scopeOf(String token) {
    String hash = hash(token);
    return db.read(c -> {
      try (PreparedStatement st = c.prepareStatement("SELECT scope FROM api_tokens WHERE hash = ?")) {
        st.setString(1, hash);
        try (ResultSet rs = st.executeQuery()) {
          return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
        }
      }
    });
  }

  /** True if at least one token exists (without any, the API refuses every write). */
  public boolean any() {
    return db.read(c -> {
      try (PreparedStatement st = c.prepareStatement("SELECT EXISTS (SELECT 1 FROM api_tokens)"); ResultSet rs = st.executeQuery()) {
        return rs.getInt(1) == 1;
      }
    });
  }

  /** Hex SHA-256 of a token, as stored. */
  public static String hash(String token) {
    return io.edgeproxy.core.edge.EdgeAuth.hash(token);
  }
}
