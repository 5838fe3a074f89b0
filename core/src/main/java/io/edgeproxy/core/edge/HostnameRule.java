package io.edgeproxy.core.edge;

import static java.util.Objects.requireNonNull;

/**
 * One valid row of table {@code hostnames}: a name (or {@code *.} wildcard) routed to an app.
 *
 * @param hostname lower-case, without a trailing dot
 * @param app the app it reaches
 * @param mode terminated on this POP, or passed through to the backend's own TLS
 */
public record HostnameRule(String hostname, String app, Mode mode) {
  public HostnameRule {
    requireNonNull(hostname, "hostname");
    requireNonNull(app, "app");
    requireNonNull(mode, "mode");
  }

  /** How a connection for the name is served. */
  public enum Mode {
    /** TLS ends on this POP (certificate chosen by name); the app gets the plain bytes. */
    TERMINATE,
    /** The ClientHello is read, not answered: every byte goes to the backend, whose certificate the client sees. */
    PASSTHROUGH
  }
}
