package io.edgeproxy.tools;

import io.edgeproxy.core.config.ApiConfig;
import io.edgeproxy.core.config.TlsFiles;
import io.edgeproxy.replication.tls.ClusterPki;
import io.edgeproxy.tools.tls.TlsContexts;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
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
  private static final Duration SELF_SIGNED_LIFETIME = Duration.ofDays(825);

  private ApiTls() {}

  /**
   * The server context for {@code tls} on {@code listen}.
   *
   * @throws IllegalStateException naming the file and what is wrong with it
   */
  static SslContext context(ApiConfig.Tls tls, InetSocketAddress listen) {
    TlsFiles files = tls.files();
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
      return TlsContexts.server(key, chain);
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalStateException("cannot serve the discovery API over TLS with "
          + (files == null ? "a self-signed certificate" : files.certificate() + " and " + files.key()) + ": " + e.getMessage(), e);
    }
  }

  static String pin(X509Certificate certificate) {
    return TlsContexts.pin(certificate);
  }

}
