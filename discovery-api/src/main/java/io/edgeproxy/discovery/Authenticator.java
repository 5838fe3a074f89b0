package io.edgeproxy.discovery;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.edgeproxy.sql.ApiTokens;
import java.time.Duration;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Checks {@code Authorization: Bearer <token>} against routing.db's token hashes. Lookups are
 * cached for a second (so a heartbeat storm does not read routing.db per request; a new or
 * removed token takes effect within that second). The token itself is never logged or kept:
 * the cache is keyed by its hash.
 */
final class Authenticator {
  private final ApiTokens tokens;
  private final Cache<String, Optional<String>> scopes =
      Caffeine.newBuilder().maximumSize(10_000).expireAfterWrite(Duration.ofSeconds(1)).build();

  Authenticator(ApiTokens tokens) {
    this.tokens = tokens;
  }

  /** The caller, or the 401 answer saying what was wrong. */
  sealed interface Result {
    record Known(Caller caller) implements Result {}

    record Refused(ApiResponse response) implements Result {}
  }

  Result authenticate(@Nullable String authorization) {
    if (authorization == null || authorization.isBlank()) {
      return refused("missing bearer token (expected header 'Authorization: Bearer <token>'; create one with"
          + " 'edgeproxy token create --admin' or '--app APP')");
    }
    String[] parts = authorization.strip().split("\\s+", 2);
    if (parts.length != 2 || !parts[0].equalsIgnoreCase("Bearer") || parts[1].isBlank()) {
      return refused("malformed Authorization header (expected: 'Bearer <token>')");
    }
    String hash = ApiTokens.hash(parts[1].strip());
    Optional<String> scope = scopes.get(hash, h -> tokens.scopeOf(parts[1].strip()));
    if (scope.isEmpty()) {
      return refused("invalid bearer token (expected: a token made by 'edgeproxy token create')");
    }
    return new Result.Known(new Caller(scope.get()));
  }

  private static Result refused(String message) {
    return new Result.Refused(ApiResponse.error(401, message).withHeader("WWW-Authenticate", "Bearer realm=\"edgeproxy\""));
  }
}
