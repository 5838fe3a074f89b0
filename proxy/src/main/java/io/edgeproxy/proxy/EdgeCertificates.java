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

  /**
   * What a handshake is answered with.
   *
   * @param context the server context of the certificate chosen
   * @param staple an OCSP response to staple to it, or null (none, or the JDK's TLS)
   */
  record Chosen(SslContext context, byte @Nullable [] staple) {}

  /** The certificate for {@code serverName} (null: the client sent none) offering {@code alpn}. Never null. */
  Chosen select(@Nullable String serverName, Alpn alpn);
}
