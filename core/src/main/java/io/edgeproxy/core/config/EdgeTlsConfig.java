package io.edgeproxy.core.config;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * The HTTPS edge; absent from {@link EdgeConfig} when EDGEPROXY_TLS_ENABLED is off.
 *
 * @param listen listen address. Default: 0.0.0.0:8443
 * @param defaultCertificate EDGEPROXY_TLS_CERT/_KEY, or null for a self-signed certificate made at start
 * @param certificatesDir EDGEPROXY_TLS_CERTS_DIR, or null
 * @param domain EDGEPROXY_DOMAIN (lower-case), or null
 * @param defaultApp the app that gets connections no name routes (EDGEPROXY_APP when it names one
 *     app), or null: such connections reach no backend
 * @param helloTimeout how long a client may take to send its ClientHello and finish the handshake. Default: 10 s
 */
public record EdgeTlsConfig(InetSocketAddress listen, @Nullable TlsFiles defaultCertificate, @Nullable Path certificatesDir,
    @Nullable String domain, @Nullable String defaultApp, Duration helloTimeout) {
  public EdgeTlsConfig {
    requireNonNull(listen, "listen");
    requireNonNull(helloTimeout, "helloTimeout");
  }

  /** For tests: 127.0.0.1 port 0, self-signed, no directory, no domain, no default app, 2 s hello timeout. */
  public static EdgeTlsConfig forTest() {
    return new EdgeTlsConfig(new InetSocketAddress("127.0.0.1", 0), null, null, null, null, Duration.ofSeconds(2));
  }

  public EdgeTlsConfig withDefaultCertificate(@Nullable TlsFiles value) {
    return new EdgeTlsConfig(listen, value, certificatesDir, domain, defaultApp, helloTimeout);
  }

  public EdgeTlsConfig withCertificatesDir(@Nullable Path value) {
    return new EdgeTlsConfig(listen, defaultCertificate, value, domain, defaultApp, helloTimeout);
  }

  public EdgeTlsConfig withDomain(@Nullable String value) {
    return new EdgeTlsConfig(listen, defaultCertificate, certificatesDir, value, defaultApp, helloTimeout);
  }

  public EdgeTlsConfig withDefaultApp(@Nullable String value) {
    return new EdgeTlsConfig(listen, defaultCertificate, certificatesDir, domain, value, helloTimeout);
  }
}
