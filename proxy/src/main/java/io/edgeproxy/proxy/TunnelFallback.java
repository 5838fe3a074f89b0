package io.edgeproxy.proxy;

import io.netty.channel.Channel;
import io.netty.handler.ssl.SslContext;

/**
 * Device tunnels over TCP, for agents whose UDP is blocked: the HTTPS edge hands a connection
 * whose ClientHello offers ALPN {@code edgeproxy-tunnel} to this, before any host routing. The
 * edge ends TLS with {@link #tls()} and, once the handshake is done, gives the connection away
 * for good ({@link #serve}): it is no proxied client, and the edge's idle sweep lets it be.
 */
public interface TunnelFallback {
  /** The server context for tunnel connections (the tunnel listener's certificate, ALPN {@code edgeproxy-tunnel}). */
  SslContext tls();

  /** Takes over {@code connection}, its TLS handshake done; called on its event loop. */
  void serve(Channel connection);
}
