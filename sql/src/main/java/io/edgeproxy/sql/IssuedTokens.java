package io.edgeproxy.sql;

import static java.util.Objects.requireNonNull;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/**
 * Every token issued, discovery API ({@code api_tokens}) and client ({@code client_tokens}) alike,
 * for operators: listed by id (the start of the stored hash; the token itself is never stored) and
 * revoked by id or by the token. A revocation is a replicated delete, so it holds on every POP.
 */
public final class IssuedTokens {
  /** The shortest id {@link #revoke} takes: 8 hex digits (32 bits) rarely match two tokens. */
  static final int MIN_ID = 8;
  /** The id {@link Issued#id} shows. */
  static final int ID_LENGTH = 12;

  public enum Kind { ADMIN, APP, CLIENT }

  /** One token as stored: never the token itself. */
  public record Issued(String hash, Kind kind, String scope, long createdMs, String note) {
    public String id() {
      return hash.substring(0, Math.min(ID_LENGTH, hash.length()));
    }
  }

  /** What {@link #revoke} did. */
  public sealed interface Revocation {
    record Revoked(Issued token) implements Revocation {}

    record NotFound(String asked) implements Revocation {}

    record Ambiguous(String asked, List<Issued> matches) implements Revocation {}

    record BadId(String asked) implements Revocation {}
  }

  private final RoutingDb db;

  public IssuedTokens(RoutingDb db) {
    this.db = requireNonNull(db, "db");
  }

  /** Every token, oldest first. */
  public List<Issued> list() {
    return db.read(c -> matching(c, ""));
  }

  /**
   * Revokes the one token whose id starts with {@code idOrToken} (at least {@link #MIN_ID} hex
   * digits), or the token itself ({@code edp_...}, {@code edc_...}).
   */
  public Revocation revoke(String idOrToken) {
    String asked = idOrToken.trim();
    String prefix = asked.startsWith("edp_") || asked.startsWith("edc_") ? ApiTokens.hash(asked) : asked.toLowerCase(Locale.ROOT);
    if (prefix.length() < MIN_ID || prefix.length() > 64 || !prefix.chars().allMatch(ch -> Character.digit(ch, 16) >= 0)) {
      return new Revocation.BadId(asked);
    }
    return db.inTransaction(c -> {
      List<Issued> found = matching(c, prefix);
      if (found.isEmpty()) {
        return new Revocation.NotFound(asked);
      }
      if (found.size() > 1) {
        return new Revocation.Ambiguous(asked, found);
      }
      Issued token = found.getFirst();
      try (PreparedStatement st = c.prepareStatement("DELETE FROM " + table(token.kind()) + " WHERE hash = ?")) {
        st.setString(1, token.hash());
        st.executeUpdate();
      }
      return new Revocation.Revoked(token);
    });
  }

  private static String table(Kind kind) {
    return kind == Kind.CLIENT ? "client_tokens" : "api_tokens";
  }

  private static List<Issued> matching(java.sql.Connection c, String hashPrefix) throws SQLException {
    List<Issued> out = new ArrayList<>();
    String sql = "SELECT hash, 0, scope, created_ms, note FROM api_tokens WHERE substr(hash, 1, ?) = ?"
        + " UNION ALL SELECT hash, 1, app, created_ms, note FROM client_tokens WHERE substr(hash, 1, ?) = ? ORDER BY 4, 1";
    try (PreparedStatement st = c.prepareStatement(sql)) {
      st.setInt(1, hashPrefix.length());
      st.setString(2, hashPrefix);
      st.setInt(3, hashPrefix.length());
      st.setString(4, hashPrefix);
      try (ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          String hash = rs.getString(1);
          if (hash == null) {
            continue; // a row written by hand without a hash matches no token
          }
          String scope = text(rs.getString(3));
          Kind kind = rs.getInt(2) == 1 ? Kind.CLIENT : ApiTokens.ADMIN.equals(scope) ? Kind.ADMIN : Kind.APP;
          out.add(new Issued(hash, kind, scope, rs.getLong(4), text(rs.getString(5))));
        }
      }
    }
    return out;
  }

  private static String text(@Nullable String value) {
    return value == null ? "" : value;
  }
}
