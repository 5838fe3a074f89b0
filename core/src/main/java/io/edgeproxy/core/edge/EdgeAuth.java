package io.edgeproxy.core.edge;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Edge auth ({@code apps.auth = 'token'}): a request passes with {@code Authorization: Bearer T}
 * where T is a client token of its app, checked against the hashes replicated to this POP
 * ({@code client_tokens}); nothing goes to the origin to ask. Pure.
 */
public final class EdgeAuth {
  private EdgeAuth() {}

  /** Why a request was refused; {@code tokenGiven}: it carried a token, just not a valid one (RFC 6750 invalid_token). */
  public record Refusal(String problem, boolean tokenGiven) {}

  /**
   * Null when {@code authorization} carries a client token of {@code app}, else why not.
   *
   * @param clientTokens the app of each client token, by {@link #hash}
   */
  public static @Nullable Refusal check(String app, @Nullable String authorization, Map<String, String> clientTokens) {
    if (authorization == null || authorization.isBlank()) {
      return new Refusal("app " + app + " needs a client token (expected header 'Authorization: Bearer <token>'; an operator"
          + " makes one with 'edgeproxy token create --client " + app + "')", false);
    }
    String[] parts = authorization.strip().split("\\s+", 2);
    if (parts.length != 2 || !parts[0].equalsIgnoreCase("Bearer") || parts[1].isBlank()) {
      return new Refusal("malformed Authorization header (expected: 'Bearer <token>')", false);
    }
    if (!app.equals(clientTokens.get(hash(parts[1].strip())))) {
      return new Refusal("invalid token (expected: a client token of app " + app + ")", true);
    }
    return null;
  }

  /** Hex SHA-256 of a token, as routing.db stores it (never the token). */
  public static String hash(String token) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is missing from this JDK", e);
    }
  }
}
