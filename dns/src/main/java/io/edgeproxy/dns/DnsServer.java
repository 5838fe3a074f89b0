package io.edgeproxy.dns;

import static java.util.Objects.requireNonNull;

import io.edgeproxy.core.config.DnsConfig;
import io.edgeproxy.core.geo.ClientLocator;
import io.edgeproxy.core.geo.IpNetworks;
import io.edgeproxy.core.geo.SocketAddresses;
import io.edgeproxy.core.routing.RoutingState;
import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.timeout.IdleStateHandler;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The DNS server: one UDP socket per I/O thread (SO_REUSEPORT) and one TCP listener, on the same
 * port. {@link #start()} blocks until bound; {@link #close()} stops both and the I/O threads.
 * A TCP connection without a complete query for 10 s is closed (RFC 7766 6.2.3 suggests seconds),
 * and at most 256 are open at once.
 */
public final class DnsServer implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(DnsServer.class);
  /** Largest datagram read; a larger one arrives cut short and is answered with FORMERR. */
  static final int MAX_DATAGRAM = 1500;
  /**
   * Datagrams read per recvmmsg on epoll. 8 rather than 32: the read buffer is 12 KB instead of
   * 48 KB, and in four paired dnsperf runs p99 at 10,000 queries/s was 0.24-0.28 ms against
   * 0.32-0.65 ms, with throughput level or higher (a batch of 8 already amortises the call).
   */
  private static final int DATAGRAMS_PER_READ = 8;

  private final DnsConfig config;
  private final Limits limits;
  private final DnsTransport transport;
  private final DnsStats stats = new DnsStats();
  private final DnsResponder responder;
  private final ZoneResolver resolver;
  private final ClientLocator locator;
  private final @Nullable Forwarder forwarder;
  private final AtomicInteger tcpOpen = new AtomicInteger();
  private final List<Channel> channels = new ArrayList<>();
  private final List<UdpDnsHandler> udpHandlers = new ArrayList<>();
  private @Nullable Channel tcpListener;
  private InetSocketAddress address;

  /**
   * @param pops the appliance nodes for {@code pops.<zone>}; called on I/O threads, must not block
   */
  public DnsServer(DnsConfig config, RoutingState state, ClientLocator locator, Supplier<List<Pop>> pops) {
    this(config, state, locator, pops, Limits.DEFAULT);
  }

  /**
   * Limits on TCP clients and on start-up work (tests shorten them).
   *
   * @param tcpIdle a connection without a complete query for this long is closed
   * @param maxTcpConnections open TCP connections at most; more are closed at once
   * @param warmUpQueries synthetic queries answered before binding (see {@link DnsWarmUp}); 0 for none
   * @param warmUp the most time the warm-up may take
   * @param maxForwardsPerLoop forwarded queries in flight per I/O thread at most; more get SERVFAIL at once
   * @param ioThreads I/O threads, each with its own UDP socket on the port; 0 for one per core
   */
  record Limits(Duration tcpIdle, int maxTcpConnections, int warmUpQueries, Duration warmUp, int maxForwardsPerLoop,
      int ioThreads) {
    static final Limits DEFAULT = new Limits(Duration.ofSeconds(10), 256, 50_000, Duration.ofSeconds(2), 1024, 0);
    /** No warm-up: what socket tests use, so each server starts at once. */
    static final Limits NO_WARM_UP = new Limits(Duration.ofSeconds(10), 256, 0, Duration.ZERO, 1024, 0);

    Limits withMaxForwardsPerLoop(int value) {
      return new Limits(tcpIdle, maxTcpConnections, warmUpQueries, warmUp, value, ioThreads);
    }

    Limits withIoThreads(int value) {
      return new Limits(tcpIdle, maxTcpConnections, warmUpQueries, warmUp, maxForwardsPerLoop, value);
    }
  }

  DnsServer(DnsConfig config, RoutingState state, ClientLocator locator, Supplier<List<Pop>> pops, Limits limits) {
    this.limits = requireNonNull(limits, "limits");
    this.config = requireNonNull(config, "config");
    this.transport = new DnsTransport(limits.ioThreads());
    this.resolver = new ZoneResolver(config.zone(), state, pops, System::nanoTime);
    this.locator = locator;
    RateLimiter limiter = config.rateLimit() > 0 ? new RateLimiter(config.rateLimit()) : null;
    this.forwarder = config.forwarding() ? new Forwarder(new Forwarder.Plan(config.upstreams(), config.upstreamTimeout(),
        limits.maxForwardsPerLoop(), stats, new ResponseWriter.Settings(resolver.zone(), ttlSeconds()), transport),
        config.forwardFrom()) : null;
    this.responder = new DnsResponder(resolver, locator, stats, ttlSeconds(), limiter, forwarder, new IpNetworks(config.allowFrom()));
    this.address = config.listen();
  }

  /**
   * Binds UDP and TCP.
   *
   * @return the bound address (port 0 resolved; UDP and TCP share it)
   * @throws IllegalStateException naming the address when it cannot be bound; nothing stays bound then
   */
  public synchronized InetSocketAddress start() {
    prepare();
    int attempts = config.listen().getPort() == 0 ? 5 : 1; // port 0: UDP's free port may be taken for TCP
    for (int attempt = 1; ; attempt++) {
      try {
        address = bindUdp(config.listen());
        bindTcp(address);
        logListening();
        return address;
      } catch (Exception e) { // bind failures arrive as (sneakily thrown) IOExceptions
        closeChannels();
        if (attempt >= attempts) {
          if (forwarder != null) {
            forwarder.close();
          }
          throw new IllegalStateException("cannot listen for DNS on " + SocketAddresses.format(config.listen()) + ": " + e.getMessage(), e);
        }
      }
    }
  }

  /**
   * As {@link #start()}, on the sockets of a running DNS server that hands them over (see
   * {@link #handOverSockets()}), received as descriptors: its UDP sockets keep their queued
   * datagrams and the port's steering program, so no query is lost between the two servers.
   * Needs native epoll (Netty adopts descriptors only there).
   *
   * @return the sockets' address
   * @throws IllegalStateException when epoll is missing or a descriptor is no socket of this kind
   */
  public synchronized InetSocketAddress adopt(List<Integer> udp, int tcp) {
    List<Integer> unowned = new ArrayList<>(udp); // closed here on failure; a channel owns each once built
    unowned.add(tcp);
    try {
      if (!transport.isEpoll()) {
        throw new IllegalStateException("taking over DNS sockets needs native epoll, which is not available here");
      }
      prepare();
    } catch (RuntimeException e) {
      Sockets.closeDescriptors(unowned);
      throw e;
    }
    List<EventLoop> loops = transport.loops();
    try {
      udpHandlers.clear();
      for (int i = 0; i < udp.size(); i++) {
        int fd = udp.get(i);
        unowned.remove(Integer.valueOf(fd));
        UdpDnsHandler handler = new UdpDnsHandler(responder);
        channels.add(udpBootstrap(transport, loops.get(i % loops.size()), handler, () -> new EpollDatagramChannel(fd))
            .register().syncUninterruptibly().channel());
        udpHandlers.add(handler);
      }
      unowned.remove(Integer.valueOf(tcp));
      tcpListener = tcpBootstrap(() -> new EpollServerSocketChannel(tcp)).register().syncUninterruptibly().channel();
      channels.add(tcpListener);
      address = (InetSocketAddress) channels.get(0).localAddress();
    } catch (RuntimeException e) {
      closeChannels();
      Sockets.closeDescriptors(unowned);
      if (forwarder != null) {
        forwarder.close();
      }
      throw new IllegalStateException("cannot take over the DNS sockets: " + e.getMessage(), e);
    }
    logListening();
    return address;
  }


  /**
   * The descriptors of this server's UDP sockets (in I/O thread order) and of its TCP listener,
   * for a server in another process to {@link #adopt}; empty without epoll or before start.
   */
  public synchronized java.util.Optional<Sockets> handOverSockets() {
    if (!transport.isEpoll() || tcpListener == null) {
      return java.util.Optional.empty();
    }
    List<Integer> udp = new ArrayList<>();
    for (Channel ch : channels) {
      if (ch instanceof EpollDatagramChannel datagram) {
        udp.add(datagram.fd().intValue());
      }
    }
    return java.util.Optional.of(new Sockets(udp, ((EpollServerSocketChannel) tcpListener).fd().intValue()));
  }

  /** The descriptors {@link #handOverSockets()} gives: valid while this server is open. */
  public record Sockets(List<Integer> udp, int tcp) {
    public Sockets {
      udp = List.copyOf(udp);
    }

    /** Closes this process's descriptors of them (received, and not {@link #adopt}ed). */
    public void close() {
      closeDescriptors(udp);
      closeDescriptors(List.of(tcp));
    }

    /** Closes descriptors of this process that no channel owns. */
    public static void closeDescriptors(List<Integer> fds) {
      for (int fd : fds) {
        try {
          new io.netty.channel.unix.FileDescriptor(fd).close();
        } catch (java.io.IOException e) {
          // already closed
        }
      }
    }
  }

  /**
   * Stops reading datagrams and accepting connections: another process holds the same sockets
   * now and answers what arrives. Queries already read, forwarded ones included, and open TCP
   * connections are still answered until {@link #close()}, which then closes only this process's
   * descriptors: the sockets live on in the other process.
   */
  public synchronized void stopReading() {
    for (Channel ch : channels) {
      ch.config().setAutoRead(false);
    }
    logger.info("DNS: stopped reading; the agent that took over answers on {}", SocketAddresses.format(address));
  }

  private void prepare() {
    warmUp();
    if (forwarder != null) {
      InetSocketAddress self = upstreamThatIsThisServer();
      if (self != null) {
        throw new IllegalStateException("EDGEPROXY_DNS_UPSTREAMS lists " + SocketAddresses.format(self)
            + ", this server's own DNS address: forwarding there would loop (expected: other resolvers)");
      }
      forwarder.start();
    }
  }

  private void logListening() {
    logger.info("DNS listening on {} (UDP and TCP) for zone {}, TTL {} s, rate limit {} ({})",
        SocketAddresses.format(address), config.zone(), config.ttl().toSeconds(),
        config.rateLimit() == 0 ? "off" : config.rateLimit() + "/s per source network", transport.describe());
    logger.info("DNS answering clients in {}", config.allowFrom().isEmpty() ? "no network (EDGEPROXY_DNS_ALLOW_FROM is empty)"
        : config.allowFrom().stream().map(Object::toString).collect(java.util.stream.Collectors.joining(", ")));
    if (forwarder != null) {
      logger.info("DNS forwarding names outside {} to {}", config.zone(), forwarder.describe());
    }
  }

  /** An upstream at the listen address (or, listening on a wildcard, at a loopback address on its port), or null. */
  private @Nullable InetSocketAddress upstreamThatIsThisServer() {
    InetSocketAddress listen = config.listen();
    for (InetSocketAddress upstream : config.upstreams()) {
      boolean samePort = listen.getPort() != 0 && upstream.getPort() == listen.getPort();
      if (samePort && (upstream.getAddress().equals(listen.getAddress())
          || listen.getAddress().isAnyLocalAddress() && upstream.getAddress().isLoopbackAddress())) {
        return upstream;
      }
    }
    return null;
  }

  /** Runs the JIT warm-up with a throwaway responder, so statistics and the cache see only real queries. */
  private void warmUp() {
    if (limits.warmUpQueries() <= 0) {
      return;
    }
    long start = System.nanoTime();
    DnsResponder throwaway = new DnsResponder(resolver, locator, new DnsStats(), ttlSeconds(), null);
    int answered = DnsWarmUp.run(transport, throwaway, resolver.view(), resolver.zone(), limits.warmUpQueries(),
        limits.warmUp().toMillis());
    logger.debug("DNS warm-up: {} synthetic queries answered in {} ms", answered, (System.nanoTime() - start) / 1_000_000);
  }

  private InetSocketAddress bindUdp(InetSocketAddress requested) {
    String taken = io.edgeproxy.core.net.PortCheck.udpTaken(requested);
    if (taken != null) {
      throw new IllegalStateException(taken);
    }
    InetSocketAddress bound = requested;
    udpHandlers.clear();
    for (EventLoop loop : transport.loops()) {
      UdpDnsHandler handler = new UdpDnsHandler(responder);
      Channel ch = udpBootstrap(transport, loop, handler, transport.datagramFactory(bound.getAddress()))
          .bind(bound).syncUninterruptibly().channel();
      channels.add(ch);
      udpHandlers.add(handler);
      bound = (InetSocketAddress) ch.localAddress();
    }
    if (transport.isEpoll()) {
      String notAttached = ReusePortSteering.attach(channels.get(0), udpHandlers.size());
      if (notAttached != null) {
        logger.debug("DNS: datagrams go to sockets by the kernel's flow hash ({})", notAttached);
      }
    }
    return bound;
  }

  /** A UDP socket on {@code loop} answering with {@code responder}; several may share a port (SO_REUSEPORT). */
  static Bootstrap udpBootstrap(DnsTransport transport, EventLoop loop, UdpDnsHandler handler,
      io.netty.channel.ChannelFactory<? extends io.netty.channel.socket.DatagramChannel> channels) {
    Bootstrap b = new Bootstrap()
        .group(loop)
        .channelFactory(channels)
        .option(transport.reusePort(), true)
        .option(ChannelOption.SO_RCVBUF, 4 << 20)
        .option(ChannelOption.SO_SNDBUF, 4 << 20)
        .handler(handler);
    if (transport.isEpoll()) {
      // recvmmsg: up to DATAGRAMS_PER_READ datagrams per system call
      b.option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_DATAGRAM)
          .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM * DATAGRAMS_PER_READ));
    } else {
      b.option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_DATAGRAM));
    }
    return b;
  }

  private void bindTcp(InetSocketAddress at) {
    tcpListener = tcpBootstrap(transport.serverFactory(at.getAddress())).bind(at).syncUninterruptibly().channel();
    channels.add(tcpListener);
  }

  private ServerBootstrap tcpBootstrap(io.netty.channel.ChannelFactory<? extends io.netty.channel.ServerChannel> listeners) {
    return new ServerBootstrap()
        .group(transport.group())
        .channelFactory(listeners)
        .option(ChannelOption.SO_REUSEADDR, true)
        .childOption(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .childOption(ChannelOption.TCP_NODELAY, true)
        .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, new WriteBufferWaterMark(32 << 10, 64 << 10))
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            if (tcpOpen.incrementAndGet() > limits.maxTcpConnections()) {
              tcpOpen.decrementAndGet();
              ch.close();
              return;
            }
            ch.closeFuture().addListener(f -> tcpOpen.decrementAndGet());
            ch.pipeline().addLast(
                new LengthFieldBasedFrameDecoder(65535 + 2, 0, 2, 0, 2),
                // after the framer, so only whole queries count as activity (a trickle of bytes does not)
                new IdleStateHandler(limits.tcpIdle().toMillis(), 0, 0, TimeUnit.MILLISECONDS),
                new TcpDnsHandler(responder));
          }
        });
  }

  private int ttlSeconds() {
    return (int) Math.min(Integer.MAX_VALUE, config.ttl().toSeconds());
  }

  /** The bound address (the configured one before {@link #start()}). */
  public InetSocketAddress address() {
    return address;
  }

  public DnsStats stats() {
    return stats;
  }

  /** UDP datagrams received so far by each of the port's sockets, in I/O thread order. */
  public synchronized List<Long> udpDatagramsBySocket() {
    return udpHandlers.stream().map(UdpDnsHandler::datagrams).toList();
  }

  /** Open TCP connections. */
  public int tcpConnections() {
    return tcpOpen.get();
  }

  private void closeChannels() {
    for (Channel ch : channels) {
      ch.close().syncUninterruptibly();
    }
    channels.clear();
    tcpListener = null;
  }

  @Override
  public synchronized void close() {
    closeChannels();
    if (forwarder != null) {
      forwarder.close();
    }
    transport.close();
  }
}
