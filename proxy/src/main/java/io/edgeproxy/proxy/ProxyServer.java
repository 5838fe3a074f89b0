package io.edgeproxy.proxy;

import static java.util.Objects.requireNonNull;

import io.edgeproxy.core.config.EdgeTlsConfig;
import io.edgeproxy.core.config.ListenerConfig;
import io.edgeproxy.core.config.ProxyConfig;
import io.edgeproxy.core.geo.SocketAddresses;
import io.edgeproxy.core.routing.Router;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.Map;
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
  private final EdgeStats edgeStats = new EdgeStats();
  private @org.jspecify.annotations.Nullable InetSocketAddress httpAddress;
  private final Map<EventLoop, ProxyLoop> loops = new IdentityHashMap<>();
  private final List<Channel> listening = new ArrayList<>();
  private volatile TunnelStreams tunnels = TunnelStreams.NONE;
  private final TunnelStreams tunnelsNow = backend -> tunnels.open(backend);
  private volatile @org.jspecify.annotations.Nullable TunnelFallback tunnelFallback;
  private volatile CacheShields shields = CacheShields.NONE;
  private boolean joining;
  private boolean closed;
  private volatile @org.jspecify.annotations.Nullable HttpSite shieldSite;

  public ProxyServer(ProxyConfig config, Router router, NettyTransport transport) {
    this.config = requireNonNull(config, "config");
    this.router = requireNonNull(router, "router");
    this.transport = requireNonNull(transport, "transport");
  }

  /** From now on, backends that are device tunnels are reached through {@code value}. */
  public void useTunnels(TunnelStreams value) {
    tunnels = requireNonNull(value, "value");
  }

  /** From now on, the HTTPS edge hands device tunnels' TCP connections (ALPN edgeproxy-tunnel) to {@code value}. */
  public void useTunnelFallback(TunnelFallback value) {
    tunnelFallback = requireNonNull(value, "value");
  }

  /**
   * The listeners about to be bound join the SO_REUSEPORT groups of an agent this one takes over
   * from (which then leaves them), instead of refusing ports another process listens on.
   */
  public synchronized void joinRunningAgent() {
    joining = true;
  }

  /**
   * Binds every listener. Blocks until bound.
   *
   * @return the bound addresses, in listener order (port 0 resolved)
   * @throws ProxyBindException naming the address when one cannot be bound; nothing stays bound then
   */
  public synchronized List<InetSocketAddress> start() {
    for (EventLoop loop : transport.workerLoops()) {
      ProxyLoop proxyLoop = new ProxyLoop(loop, transport, config.connectTimeout());
      if (!config.idleTimeout().isZero()) {
        proxyLoop.sweepIdleEvery(config.idleTimeout());
      }
      loops.put(loop, proxyLoop);
    }
    List<InetSocketAddress> bound = new ArrayList<>();
    for (ListenerConfig lc : config.listeners()) {
      ProxyListener listener = new ProxyListener(lc.app(), router, transport, config, stats, tunnelsNow);
      try {
        InetSocketAddress address = bindPerLoop(lc, listener);
        bound.add(address);
        logger.info("proxy listening on {} for app {} ({})", SocketAddresses.format(address), lc.app(), transport.describe());
      } catch (Exception e) { // bind failures arrive as (sneakily thrown) IOExceptions
        stopListening();
        throw new ProxyBindException("cannot listen on " + SocketAddresses.format(lc.address()) + " for app " + lc.app()
            + ": " + e.getMessage(), e);
      }
    }
    return bound;
  }

  /**
   * Binds the HTTPS edge listener (after {@link #start}): one address for every app, routed by
   * server name, sharing the proxy's I/O threads, routing and drain; and its plain HTTP listener
   * when configured (see {@link #httpAddress()}).
   *
   * @return the bound address (port 0 resolved)
   * @throws ProxyBindException naming the address when it cannot be bound
   */
  public synchronized InetSocketAddress startEdge(EdgeTlsConfig tls, EdgeCertificates certificates) {
    return startEdge(tls, certificates, HttpObserver.NONE);
  }

  /**
   * As {@link #startEdge(EdgeTlsConfig, EdgeCertificates)}, telling {@code observer} about every
   * request of an app in HTTP mode (metrics); the access log is written here when configured.
   */
  public synchronized InetSocketAddress startEdge(EdgeTlsConfig tls, EdgeCertificates certificates, HttpObserver observer) {
    EdgeListener edge = new EdgeListener(new ProxyListener("", router, transport, config, stats, tunnelsNow), tls, certificates, edgeStats);
    cache = edge.cache();
    HttpObserver observers = tls.accessLog() ? HttpAccessLog.and(observer) : observer;
    int httpsPort = tls.listen().getPort();
    edge.httpSite(new HttpSite(edge, loops, false, httpsPort, observers, false));
    edge.tunnelFallback(() -> tunnelFallback);
    edge.shields(() -> shields);
    shieldSite = new HttpSite(edge, loops, false, httpsPort, observers, true);
    InetSocketAddress address = bind(tls.listen(), "the HTTPS edge", new EdgeChannelInitializer(edge, loops));
    logger.info("HTTPS edge listening on {}{}{} ({})", SocketAddresses.format(address),
        tls.domain() == null ? "" : ", <app>." + tls.domain() + " routes to <app>",
        tls.defaultApp() == null ? "" : ", names nothing routes go to app " + tls.defaultApp(), transport.describe());
    if (tls.httpListen() != null) {
      HttpSite plain = new HttpSite(edge, loops, true, address.getPort(), observers, false);
      httpAddress = bind(tls.httpListen(), "plain HTTP", new PlainHttpInitializer(plain));
      logger.info("plain HTTP listening on {}: 308 to https on port {} (apps in HTTP mode with http_redirect = 0 served)",
          SocketAddresses.format(httpAddress), address.getPort());
    }
    return address;
  }

  /** The edge cache asks other POPs of its region for what they shield ({@link CacheShields}); NONE by default. */
  public void useShields(CacheShields value) {
    shields = requireNonNull(value, "value");
  }

  /**
   * Serves a stream another POP opened to ask this one's edge cache as its shield: an HTTP/1.1
   * connection from a POP, on one of the proxy's event loops (closed when the HTTPS edge is not up).
   */
  public void serveShield(io.netty.channel.Channel stream) {
    HttpSite site = shieldSite;
    if (site == null) {
      stream.close();
      return;
    }
    java.util.List<ProxyLoop> all = java.util.List.copyOf(loops.values());
    ProxyLoop loop = all.get(Math.floorMod(stream.hashCode(), all.size()));
    loop.eventLoop().execute(() -> HttpMode.installShield(stream, loop, site));
  }

  /** The plain HTTP listener's bound address, or null when there is none. */
  public synchronized @org.jspecify.annotations.Nullable InetSocketAddress httpAddress() {
    return httpAddress;
  }

  private InetSocketAddress bind(InetSocketAddress address, String what, io.netty.channel.ChannelHandler childHandler) {
    try {
      return bindPerLoop(address, childHandler);
    } catch (Exception e) { // bind failures arrive as (sneakily thrown) IOExceptions
      throw new ProxyBindException("cannot listen on " + SocketAddresses.format(address) + " for " + what + ": "
          + e.getMessage(), e);
    }
  }

  private volatile io.edgeproxy.cache.@org.jspecify.annotations.Nullable HttpCache cache;

  /** Counters of the HTTPS edge listener (zero when it is off). */
  public EdgeStats edgeStats() {
    return edgeStats;
  }

  /** The edge cache's counters by app, or null while the HTTPS edge is off. */
  /** What this POP's cache did as other POPs' regional shield (its own counters), or null without the HTTPS edge. */
  public io.edgeproxy.cache.HttpCache.@org.jspecify.annotations.Nullable Stats shieldStats() {
    HttpSite s = shieldSite;
    return s == null ? null : s.cache().stats();
  }

  public io.edgeproxy.cache.HttpCache.@org.jspecify.annotations.Nullable Stats cacheStats() {
    io.edgeproxy.cache.HttpCache c = cache;
    return c == null ? null : c.stats();
  }

  private InetSocketAddress bindPerLoop(ListenerConfig lc, ProxyListener listener) {
    return bindPerLoop(lc.address(), new ProxyChannelInitializer(listener, loops));
  }

  /**
   * One listening socket per I/O thread on the same address (SO_REUSEPORT): the kernel spreads new
   * connections over them and each thread accepts its own, so no connection is handed from an
   * acceptor thread to a worker. The first bind resolves port 0; the others reuse its port.
   */
  private InetSocketAddress bindPerLoop(InetSocketAddress first, io.netty.channel.ChannelHandler childHandler) {
    String taken = joining ? null : io.edgeproxy.core.net.PortCheck.tcpTaken(first);
    if (taken != null) {
      throw new IllegalStateException(taken); // the callers name the listener
    }
    InetSocketAddress address = first;
    for (EventLoop loop : transport.workerLoops()) {
      Channel channel = new ServerBootstrap()
          .group(loop, loop)
          .channel(transport.serverChannelClass())
          .option(ChannelOption.SO_BACKLOG, 4096)
          .option(ChannelOption.SO_REUSEADDR, true)
          .option(transport.reusePortOption(), true)
          .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
          .childOption(ChannelOption.TCP_NODELAY, true)
          .childOption(ChannelOption.RCVBUF_ALLOCATOR, NettyTransport.RECEIVE_SIZER)
          .childHandler(childHandler)
          .bind(address).syncUninterruptibly().channel();
      listening.add(channel);
      address = (InetSocketAddress) channel.localAddress();
    }
    return address;
  }

  /** Open client connections (being routed, connecting or relaying). */
  public int activeConnections() {
    int open = 0;
    for (ProxyLoop loop : loops.values()) {
      open += loop.size();
    }
    return open;
  }

  public ProxyStats stats() {
    return stats;
  }

  /**
   * Closes every listener and keeps relaying open connections (the first half of {@link #close()}).
   * With {@code net.ipv4.tcp_migrate_req = 1} the kernel moves connections still waiting in these
   * listeners' accept queues to the other sockets of their SO_REUSEPORT groups: an agent taking
   * over has joined them.
   */
  public synchronized void stopAccepting() {
    stopListening();
  }

  private void stopListening() {
    for (Channel channel : listening) {
      channel.close().syncUninterruptibly();
    }
    listening.clear();
  }

  /** Stops accepting and drains for up to the configured drain time; returns when done. Idempotent. */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    stopListening();
    Duration drain = config.drain();
    long deadline = System.nanoTime() + drain.toNanos();
    if (activeConnections() > 0 && !drain.isZero()) {
      logger.info("draining {} connections for up to {} s", activeConnections(), drain.toSeconds());
    }
    while (activeConnections() > 0 && System.nanoTime() - deadline < 0) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    if (activeConnections() > 0) {
      logger.info("closing {} connections still open after the drain", activeConnections());
    }
    for (ProxyLoop loop : loops.values()) {
      loop.closeAll().awaitUninterruptibly(5_000);
    }
    var c = cache;
    if (c != null) {
      c.close(); // the disk tier finishes the files it was given
    }
  }
}
