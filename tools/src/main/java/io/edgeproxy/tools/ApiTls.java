package io.edgeproxy.tools;

import io.edgeproxy.core.config.ApiConfig;
import io.edgeproxy.core.config.TlsFiles;
import io.edgeproxy.tools.tls.TlsContexts;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import javax.net.ssl.SSLException;

/**
 * The discovery API's TLS: TLS 1.3 and 1.2 only, Mozilla's "intermediate" cipher suites for 1.2,
 * with the operator's certificate chain and key (EDGEPROXY_TLS_CERT/_KEY), or a self-signed
 * certificate made at start whose key exists only in memory. The self-signed certificate's public
 * key hash is logged in the form {@code curl --pinnedpubkey} takes.
 */
final class ApiTls {

  private ApiTls() {}

  /**
   * The server context for {@code tls} on {@code listen}.
   *
   * @throws IllegalStateException naming the file and what is wrong with it
   */
  static SslContext context(ApiConfig.Tls tls, InetSocketAddress listen) {
    TlsFiles files = tls.files();
    List<String> names = new ArrayList<>(List.of("localhost", "127.0.0.1", "::1"));
    if (!listen.getAddress().isAnyLocalAddress() && !names.contains(listen.getAddress().getHostAddress())) {
      names.add(listen.getAddress().getHostAddress());
    }
    try {
      TlsContexts.Served served = TlsContexts.served(files, names, "discovery API");
      return TlsContexts.server(served.key(), served.chain());
    } catch (SSLException | IllegalArgumentException e) {
      throw new IllegalStateException("cannot serve the discovery API over TLS with "
          + (files == null ? "a self-signed certificate" : files.certificate() + " and " + files.key()) + ": " + e.getMessage(), e);
    }
  }


}
