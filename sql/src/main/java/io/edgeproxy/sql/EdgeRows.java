package io.edgeproxy.sql;

import io.edgeproxy.core.edge.EdgeTables;
import io.edgeproxy.core.edge.HostNames;
import io.edgeproxy.core.edge.HostnameRule;
import io.edgeproxy.core.edge.StoredCertificate;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Reads and validates the HTTPS edge's tables ({@code hostnames}, {@code certificates}). A bad row
 * is skipped and described as {@code table row (rowid N) skipped: column: value (expected: ...)}.
 */
final class EdgeRows {
  private static final int MAX_CHAIN_CHARS = 256 * 1024;
  private static final Pattern TOKEN = Pattern.compile("[A-Za-z0-9_-]{1,256}");

  private EdgeRows() {}

  static EdgeTables read(Connection c, List<String> problems) throws SQLException {
    return new EdgeTables(hostnames(c, problems), certificates(c, problems), challenges(c, problems), CachePurges.read(c, problems),
        ClientTokens.read(c, problems));
  }

  /** ACME HTTP-01 answers by token; tokens are base64url (RFC 8555 section 8.3), answers "token.thumbprint". */
  private static Map<String, String> challenges(Connection c, List<String> problems) throws SQLException {
    Map<String, String> out = new LinkedHashMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT rowid, token, key_authorization FROM acme_challenges ORDER BY rowid")) {
      while (rs.next()) {
        String token = RowValidator.text(rs.getObject(2));
        String answer = RowValidator.text(rs.getObject(3));
        if (token == null || !TOKEN.matcher(token).matches()) {
          problems.add("acme_challenges row (rowid " + rs.getLong(1) + ") skipped: token: " + RowValidator.show(rs.getObject(2))
              + " (expected: 1-256 base64url characters)");
        } else if (answer == null || !answer.startsWith(token + ".") || !TOKEN.matcher(answer.substring(token.length() + 1)).matches()) {
          problems.add("acme_challenges row (rowid " + rs.getLong(1) + ") skipped: key_authorization: "
              + RowValidator.show(rs.getObject(3)) + " (expected: the token, '.', the account key's base64url thumbprint)");
        } else {
          out.put(token, answer);
        }
      }
    }
    return out;
  }

  private static Map<String, HostnameRule> hostnames(Connection c, List<String> problems) throws SQLException {
    Map<String, HostnameRule> out = new LinkedHashMap<>();
    try (Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT rowid, hostname, app, mode FROM hostnames ORDER BY rowid")) {
      while (rs.next()) {
        List<String> bad = new ArrayList<>();
        String name = name(rs.getObject(2), bad);
        String app = RowValidator.text(rs.getObject(3));
        if (!RowValidator.isAppName(app)) {
          bad.add("app: " + RowValidator.show(rs.getObject(3)) + " (expected: 1-128 letters, digits, '.', '_' or '-')");
        }
        Object modeValue = rs.getObject(4);
        String mode = modeValue == null ? "terminate" : RowValidator.text(modeValue);
        HostnameRule.Mode parsed = mode == null ? null : switch (mode.toLowerCase(Locale.ROOT)) {
          case "terminate" -> HostnameRule.Mode.TERMINATE;
          case "passthrough" -> HostnameRule.Mode.PASSTHROUGH;
          default -> null;
        };
        if (parsed == null) {
          bad.add("mode: " + RowValidator.show(modeValue) + " (expected: 'terminate' or 'passthrough')");
        }
        if (name != null && out.containsKey(name)) {
          bad.add("hostname: " + RowValidator.show(rs.getObject(2)) + " repeats another row's name (compared without case)");
        }
        if (bad.isEmpty()) {
          out.put(name, new HostnameRule(name, app, parsed));
        } else {
          problems.add("hostnames row (rowid " + rs.getLong(1) + ") skipped: " + String.join("; ", bad));
        }
      }
    }
    return out;
  }

  private static List<StoredCertificate> certificates(Connection c, List<String> problems) throws SQLException {
    List<StoredCertificate> out = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery(
        "SELECT rowid, hostname, chain_pem, key_sealed, not_after_ms, source FROM certificates ORDER BY rowid")) {
      while (rs.next()) {
        List<String> bad = new ArrayList<>();
        String name = name(rs.getObject(2), bad);
        String chain = rs.getObject(3) instanceof String s ? s : null;
        if (chain == null || !chain.contains("-----BEGIN CERTIFICATE-----") || chain.length() > MAX_CHAIN_CHARS) {
          bad.add("chain_pem: " + RowValidator.show(rs.getObject(3)) + " (expected: PEM certificates, leaf first, at most "
              + MAX_CHAIN_CHARS / 1024 + " KiB)");
        }
        String sealed = rs.getObject(4) instanceof String s ? s : null;
        if (sealed == null || !sealed.startsWith("v1:")) {
          bad.add("key_sealed: " + (sealed != null && sealed.contains("PRIVATE KEY") ? "a private key in clear"
              : RowValidator.show(rs.getObject(4))) + " (expected: a sealed key, as edgeproxy tls add writes it)");
        }
        Long notAfter = RowValidator.integer(rs.getObject(5), 0L);
        if (notAfter == null) {
          bad.add("not_after_ms: " + RowValidator.show(rs.getObject(5)) + " (expected: NULL or milliseconds since 1970)");
        }
        String source = rs.getObject(6) == null ? "operator" : RowValidator.text(rs.getObject(6));
        if (bad.isEmpty()) {
          out.add(new StoredCertificate(name, chain, sealed, notAfter, source == null ? "?" : source));
        } else {
          problems.add("certificates row (rowid " + rs.getLong(1) + ") skipped: " + String.join("; ", bad));
        }
      }
    }
    return out;
  }

  private static @Nullable String name(@Nullable Object value, List<String> bad) {
    String name = value instanceof String s ? HostNames.normalize(s).orElse(null) : null;
    if (name == null) {
      bad.add("hostname: " + RowValidator.show(value) + " (expected: " + HostNames.EXPECTED + ")");
    }
    return name;
  }
}
