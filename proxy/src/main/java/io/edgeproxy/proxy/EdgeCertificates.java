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
  /** The server context for {@code serverName} (null: the client sent none). Never null. */
  SslContext select(@Nullable String serverName);
}
