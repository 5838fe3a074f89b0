package io.edgeproxy.core.config;

import static java.util.Objects.requireNonNull;

import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * ACME certificates for the HTTPS edge; absent when EDGEPROXY_ACME_DIRECTORY is empty.
 *
 * @param directory the ACME server's directory URL
 * @param email the account's contact address, or null
 * @param caCerts PEM certificates trusted for the ACME server besides the JDK's, or null
 */
public record AcmeConfig(URI directory, @Nullable String email, @Nullable Path caCerts) {
  /** Renewal starts this long before a certificate expires. */
  public static final Duration RENEW_BEFORE = Duration.ofDays(30);

  public AcmeConfig {
    requireNonNull(directory, "directory");
  }
}
