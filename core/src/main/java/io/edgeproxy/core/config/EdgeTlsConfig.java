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
 * @param provider the TLS implementation. Default: AUTO
 * @param httpListen the plain HTTP listener (redirects to HTTPS), or null for none. Default: none
 * @param backendTimeout apps in HTTP mode: how long a backend may take to start its response. Default: 60 s
 * @param accessLog apps in HTTP mode: log one line per request. Default: true
 * @param acme ACME certificates, or null when off (the default)
 * @param cache the edge cache of apps in HTTP mode that turn it on
 */
public record EdgeTlsConfig(InetSocketAddress listen, @Nullable TlsFiles defaultCertificate, @Nullable Path certificatesDir,
    @Nullable String domain, @Nullable String defaultApp, Duration helloTimeout, Provider provider,
    @Nullable InetSocketAddress httpListen, Duration backendTimeout, boolean accessLog,
    @Nullable AcmeConfig acme, @Nullable InetSocketAddress tunnelListen, CacheConfig cache) {
  public EdgeTlsConfig {
    requireNonNull(cache, "cache");
    requireNonNull(listen, "listen");
    requireNonNull(backendTimeout, "backendTimeout");
    requireNonNull(helloTimeout, "helloTimeout");
    requireNonNull(provider, "provider");
  }

  /** Which TLS implementation terminates: OpenSSL (BoringSSL through netty-tcnative) or the JDK's; AUTO prefers OpenSSL. */
  public enum Provider {
    AUTO, OPENSSL, JDK
  }

  /** For tests: 127.0.0.1 port 0, self-signed, no directory, no domain, no default app, 2 s hello timeout, AUTO. */
  public static EdgeTlsConfig forTest() {
    return new EdgeTlsConfig(new InetSocketAddress("127.0.0.1", 0), null, null, null, null, Duration.ofSeconds(2), Provider.AUTO, null,
        Duration.ofSeconds(60), false, null, null, CacheConfig.defaults());
  }

  public EdgeTlsConfig withListen(InetSocketAddress value) {
    return new EdgeTlsConfig(value, defaultCertificate, certificatesDir, domain, defaultApp, helloTimeout, provider, httpListen,
        backendTimeout, accessLog, acme, tunnelListen, cache);
  }

  public EdgeTlsConfig withProvider(Provider value) {
    return new EdgeTlsConfig(listen, defaultCertificate, certificatesDir, domain, defaultApp, helloTimeout, value, httpListen, backendTimeout, accessLog, acme, tunnelListen, cache);
  }

  public EdgeTlsConfig withHttpListen(@Nullable InetSocketAddress value) {
    return new EdgeTlsConfig(listen, defaultCertificate, certificatesDir, domain, defaultApp, helloTimeout, provider, value, backendTimeout, accessLog, acme, tunnelListen, cache);
  }

  public EdgeTlsConfig withDefaultCertificate(@Nullable TlsFiles value) {
    return new EdgeTlsConfig(listen, value, certificatesDir, domain, defaultApp, helloTimeout, provider, httpListen, backendTimeout, accessLog, acme, tunnelListen, cache);
  }

  public EdgeTlsConfig withCertificatesDir(@Nullable Path value) {
    return new EdgeTlsConfig(listen, defaultCertificate, value, domain, defaultApp, helloTimeout, provider, httpListen, backendTimeout, accessLog, acme, tunnelListen, cache);
  }

  public EdgeTlsConfig withDomain(@Nullable String value) {
    return new EdgeTlsConfig(listen, defaultCertificate, certificatesDir, value, defaultApp, helloTimeout, provider, httpListen, backendTimeout, accessLog, acme, tunnelListen, cache);
  }

  public EdgeTlsConfig withBackendTimeout(Duration value) {
    return new EdgeTlsConfig(listen, defaultCertificate, certificatesDir, domain, defaultApp, helloTimeout, provider, httpListen,
        value, accessLog, acme, tunnelListen, cache);
  }

  public EdgeTlsConfig withAccessLog(boolean value) {
    return new EdgeTlsConfig(listen, defaultCertificate, certificatesDir, domain, defaultApp, helloTimeout, provider, httpListen,
        backendTimeout, value, acme, tunnelListen, cache);
  }

  public EdgeTlsConfig withAcme(@Nullable AcmeConfig value) {
    return new EdgeTlsConfig(listen, defaultCertificate, certificatesDir, domain, defaultApp, helloTimeout, provider, httpListen,
        backendTimeout, accessLog, value, tunnelListen, cache);
  }

  /** Device tunnels accepted on {@code value} (UDP), or none when null. */
  public EdgeTlsConfig withTunnels(@Nullable InetSocketAddress value) {
    return new EdgeTlsConfig(listen, defaultCertificate, certificatesDir, domain, defaultApp, helloTimeout, provider, httpListen,
        backendTimeout, accessLog, acme, value, cache);
  }

  public EdgeTlsConfig withCache(CacheConfig value) {
    return new EdgeTlsConfig(listen, defaultCertificate, certificatesDir, domain, defaultApp, helloTimeout, provider, httpListen,
        backendTimeout, accessLog, acme, tunnelListen, value);
  }

  public EdgeTlsConfig withDefaultApp(@Nullable String value) {
    return new EdgeTlsConfig(listen, defaultCertificate, certificatesDir, domain, value, helloTimeout, provider, httpListen, backendTimeout, accessLog, acme, tunnelListen, cache);
  }
}
