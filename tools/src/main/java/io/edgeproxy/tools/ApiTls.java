package io.edgeproxy.tools;

import io.edgeproxy.core.config.ApiConfig;
import io.edgeproxy.replication.tls.ClusterPki;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import java.net.InetSocketAddress;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.SSLException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The discovery API's TLS: TLS 1.3 and 1.2 only, Mozilla's "intermediate" cipher suites for 1.2,
 * with the operator's certificate chain and key (EDGEPROXY_TLS_CERT/_KEY), or a self-signed
 * certificate made at start whose key exists only in memory. The self-signed certificate's public
 * key hash is logged in the form {@code curl --pinnedpubkey} takes.
 */
final class ApiTls {
  private static final Logger logger = LoggerFactory.getLogger(ApiTls.class);
  static final List<String> PROTOCOLS = List.of("TLSv1.3", "TLSv1.2");
  static final List<String> CIPHERS = List.of(
      "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
      "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
      "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256");
  private static final Duration SELF_SIGNED_LIFETIME = Duration.ofDays(825);

  private ApiTls() {}

  /**
   * The server context for {@code tls} on {@code listen}.
   *
   * @throws IllegalStateException naming the file and what is wrong with it
   */
  static SslContext context(ApiConfig.Tls tls, InetSocketAddress listen) {
    ApiConfig.TlsFiles files = tls.files();
    PrivateKey key;
    List<X509Certificate> chain;
    if (files != null) {
      key = ClusterPki.loadKey(files.key());
      chain = ClusterPki.loadChain(files.certificate());
    } else {
      List<String> names = new ArrayList<>(List.of("localhost", "127.0.0.1", "::1"));
      if (!listen.getAddress().isAnyLocalAddress() && !names.contains(listen.getAddress().getHostAddress())) {
        names.add(listen.getAddress().getHostAddress());
      }
      ClusterPki.Identity identity = ClusterPki.selfSigned(names, SELF_SIGNED_LIFETIME);
      key = identity.key();
      chain = List.of(identity.certificate());
      logger.info("discovery API: self-signed certificate for {} (set EDGEPROXY_TLS_CERT/_KEY to serve your own);"
          + " pin it with curl --pinnedpubkey {}", names, pin(identity.certificate()));
    }
    try {
      return SslContextBuilder.forServer(key, chain.toArray(X509Certificate[]::new)).sslProvider(SslProvider.JDK)
          .protocols(PROTOCOLS).ciphers(CIPHERS, SupportedCipherSuiteFilter.INSTANCE).build();
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalStateException("cannot serve the discovery API over TLS with "
          + (files == null ? "a self-signed certificate" : files.certificate() + " and " + files.key()) + ": " + e.getMessage(), e);
    }
  }

  /** {@code sha256//<base64>} of the certificate's public key, as curl's --pinnedpubkey wants it. */
  static String pin(X509Certificate certificate) {
    try {
      byte[] hash = MessageDigest.getInstance("SHA-256").digest(certificate.getPublicKey().getEncoded());
      return "sha256//" + Base64.getEncoder().encodeToString(hash);
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }
}
