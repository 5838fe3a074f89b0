package io.edgeproxy.proxy;

import io.netty.channel.Channel;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One proxied client connection as its {@link ProxyLoop} tracks it: the client channel, the
 * backend channel once connected, and when traffic last flowed. Loop thread only.
 */
final class ProxyConnection {
  private static final Logger logger = LoggerFactory.getLogger(ProxyConnection.class);

  private final ProxyLoop loop;
  private final Channel client;
  private @Nullable Channel backend;
  private long lastActiveTick;
  private @Nullable TcpAccessLog log;

  /** A connection for the client just accepted on {@code client}, tracked by its loop until it closes. */
  static ProxyConnection tracked(java.util.Map<io.netty.channel.EventLoop, ProxyLoop> loops, Channel client) {
    ProxyLoop loop = loops.get(client.eventLoop());
    ProxyConnection connection = new ProxyConnection(loop, client);
    loop.add(connection);
    client.closeFuture().addListener(f -> loop.remove(connection));
    return connection;
  }

  ProxyConnection(ProxyLoop loop, Channel client) {
    this.loop = loop;
    this.client = client;
    this.lastActiveTick = loop.tick();
  }

  ProxyLoop loop() {
    return loop;
  }

  /** The access log line of this connection (TCP mode with the log on): told how it ends here. */
  void logTo(TcpAccessLog line) {
    this.log = line;
  }

  void backendConnected(Channel channel) {
    this.backend = channel;
  }

  /** No longer a proxied client (given to another service): out of the idle sweep and the drain. */
  void untrack() {
    loop.remove(this);
  }

  /** Traffic flowed (either direction). */
  void touch() {
    lastActiveTick = loop.tick();
  }

  long lastActiveTick() {
    return lastActiveTick;
  }

  void closeIdle() {
    logger.debug("{} idle; closing", client.remoteAddress());
    if (log != null) {
      log.outcome("idle timeout");
    }
    closeNow();
  }

  void closeNow() {
    client.close();
    if (backend != null) {
      backend.close();
    }
  }
}
