package io.edgeproxy.proxy;

import io.netty.handler.ssl.SslContext;
import org.jspecify.annotations.Nullable;

/**
 * The certificates the HTTPS edge terminates with, chosen per handshake by server name: exact
 * name, then wildcard, then the default. Implementations swap their contents atomically, so a
 * change applies to the next handshake; called on I/O threads, so it must not block.
 */
@FunctionalInterface
public interface EdgeCertificates {
  /** What a handshake offers in ALPN (RFC 7301). */
  enum Alpn {
    /** Nothing: the client's bytes are relayed, so the edge must not choose their protocol (tcp apps, 421). */
    NONE,
    /** {@code h2} then {@code http/1.1}: the edge speaks HTTP itself (apps in HTTP mode). */
    HTTP
  }

  /** The server context for {@code serverName} (null: the client sent none) offering {@code alpn}. Never null. */
  SslContext select(@Nullable String serverName, Alpn alpn);

  /** An OCSP response to staple to the certificate chosen for {@code serverName}, or null (none, or the JDK's TLS). */
  default byte @Nullable [] staple(@Nullable String serverName) {
    return null;
  }
}
