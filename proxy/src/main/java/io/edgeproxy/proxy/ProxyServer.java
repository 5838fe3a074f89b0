package io.edgeproxy.proxy;

import static java.util.Objects.requireNonNull;

import io.edgeproxy.core.config.ListenerConfig;
import io.edgeproxy.core.config.ProxyConfig;
import io.edgeproxy.core.geo.SocketAddresses;
import io.edgeproxy.core.routing.Router;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The L4 proxy: one listening socket per {@link ListenerConfig}, each serving one app.
 * {@link #close()} is graceful: stop accepting, wait up to the drain time for open connections to
 * finish, then close what is left.
 */
public final class ProxyServer implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(ProxyServer.class);

  private final ProxyConfig config;
  private final Router router;
  private final NettyTransport transport;
  private final ProxyStats stats = new ProxyStats();
  private final ChannelGroup clients = new DefaultChannelGroup("proxy-clients", GlobalEventExecutor.INSTANCE);
  private final List<Channel> listening = new ArrayList<>();

  public ProxyServer(ProxyConfig config, Router router, NettyTransport transport) {
    this.config = requireNonNull(config, "config");
    this.router = requireNonNull(router, "router");
    this.transport = requireNonNull(transport, "transport");
  }

  /**
   * Binds every listener. Blocks until bound.
   *
   * @return the bound addresses, in listener order (port 0 resolved)
   * @throws ProxyBindException naming the address when one cannot be bound; nothing stays bound then
   */
  public synchronized List<InetSocketAddress> start() {
    List<InetSocketAddress> bound = new ArrayList<>();
    for (ListenerConfig lc : config.listeners()) {
      ProxyListener listener = new ProxyListener(lc.app(), router, transport, config, stats);
      ServerBootstrap bootstrap = new ServerBootstrap()
          .group(transport.acceptors(), transport.workers())
          .channel(transport.serverChannelClass())
          .option(ChannelOption.SO_BACKLOG, 4096)
          .option(ChannelOption.SO_REUSEADDR, true)
          .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childHandler(new ProxyChannelInitializer(listener, clients));
      try {
        Channel channel = bootstrap.bind(lc.address()).syncUninterruptibly().channel();
        listening.add(channel);
        InetSocketAddress address = (InetSocketAddress) channel.localAddress();
        bound.add(address);
        logger.info("proxy listening on {} for app {} ({})", SocketAddresses.format(address), lc.app(), transport.describe());
      } catch (Exception e) { // bind failures arrive as (sneakily thrown) IOExceptions
        stopListening();
        throw new ProxyBindException("cannot listen on " + SocketAddresses.format(lc.address()) + " for app " + lc.app() + ": " + e.getMessage(), e);
      }
    }
    return bound;
  }

  /** Open client connections (being routed, connecting or relaying). */
  public int activeConnections() {
    return clients.size();
  }

  public ProxyStats stats() {
    return stats;
  }

  private void stopListening() {
    for (Channel channel : listening) {
      channel.close().syncUninterruptibly();
    }
    listening.clear();
  }

  /** Stops accepting and drains for up to the configured drain time; returns when done. */
  @Override
  public synchronized void close() {
    stopListening();
    Duration drain = config.drain();
    long deadline = System.nanoTime() + drain.toNanos();
    if (!clients.isEmpty() && !drain.isZero()) {
      logger.info("draining {} connections for up to {} s", clients.size(), drain.toSeconds());
    }
    while (!clients.isEmpty() && System.nanoTime() - deadline < 0) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (!clients.isEmpty()) {
      logger.info("closing {} connections still open after the drain", clients.size());
    }
    clients.close().awaitUninterruptibly(5_000);
  }
}
