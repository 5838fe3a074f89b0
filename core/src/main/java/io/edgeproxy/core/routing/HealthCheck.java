package io.edgeproxy.core.routing;

import static java.util.Objects.requireNonNull;

import java.time.Duration;

/**
 * An app's active health check (routing.db table {@code health_checks}), as HAProxy's {@code check}:
 * every {@code interval} each POP probes each backend of the app from where it stands; {@code fall}
 * consecutive failures take the backend out of this POP's routing and DNS, {@code rise} consecutive
 * successes bring it back. Results stay on the POP: routing.db is not written.
 *
 * @param type a TCP connect, or an HTTP GET of {@code path} answered with 2xx or 3xx
 * @param path request path for {@link Type#HTTP}
 */
public record HealthCheck(Type type, String path, Duration interval, Duration timeout, int rise, int fall) {
  public enum Type { TCP, HTTP }

  public HealthCheck {
    requireNonNull(type, "type");
    requireNonNull(path, "path");
    requireNonNull(interval, "interval");
    requireNonNull(timeout, "timeout");
  }
}
