package io.edgeproxy.tunnel;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicSslContextBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.ssl.SslContext;
import java.net.InetSocketAddress;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The POP's tunnel listener (QUIC, ALPN {@value TunnelWire#ALPN}): agents connect, say hello with
 * a token for their app, and then serve the client connections this POP sends them as streams.
 * Agents whose UDP is blocked come over TCP instead, through the HTTPS edge ({@link #serveTcp}).
 *
 * <p>An agent may open exactly one stream (its control stream); the streams of client connections
 * are opened by the POP, at most {@link Limits#maxStreams} at once per tunnel. An agent that sends
 * anything else, says nothing within {@link Limits#helloTimeoutMs}, or lets the path go silent for
 * {@link Limits#idleTimeoutMs} is disconnected.
 */
public final class TunnelServer implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(TunnelServer.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** Bounds per tunnel. */
  public record Limits(int maxStreams, long idleTimeoutMs, long helloTimeoutMs, long streamWindowBytes) {
    public static Limits defaults() {
      return new Limits(1024, 10_000, 5_000, 1 << 20);
    }
  }

  private final Channel channel;
  private final int generation;
  private final Map<String, Tunnel> tunnels;
  private final SslContext tcpTls;
  private final Supplier<ControlHandler.Server> control;
  private final TunnelEvents events;
  private final Limits limits;

  private TunnelServer(Channel channel, int generation, Map<String, Tunnel> tunnels, SslContext tcpTls,
      Supplier<ControlHandler.Server> control, TunnelEvents events, Limits limits) {
    this.channel = channel;
    this.generation = generation;
    this.tunnels = tunnels;
    this.tcpTls = tcpTls;
    this.control = control;
    this.events = events;
    this.limits = limits;
  }

  /** An event loop group for {@link #bind}: epoll where the kernel has it (batched reads, see UdpTransport), else NIO. */
  public static EventLoopGroup newGroup(String threadName) {
    return UdpTransport.group(threadName);
  }

  /**
   * Binds {@code address} (UDP) with {@code key} and its {@code chain} (leaf first), the certificate agents verify.
   *
   * @param pop this POP's name, told to agents
   */
  public static TunnelServer bind(EventLoopGroup group, InetSocketAddress address, PrivateKey key, List<X509Certificate> chain,
      String pop, TunnelAuth auth, TunnelEvents events, Limits limits, LongSupplier clockMs) {
    return bind(group, new Socket(address, RANDOM.nextInt(256), false), key, chain, pop, auth, events, limits, clockMs);
  }

  /**
   * The listener's UDP socket: its address, the generation byte its connection ids start with
   * ({@link QuicHandOver}), and whether it joins the SO_REUSEPORT group of a process it takes over
   * from (else a port something else listens on is refused).
   */
  public record Socket(InetSocketAddress address, int generation, boolean join) {}

  /** As above, on {@code socket}. */
  public static TunnelServer bind(EventLoopGroup group, Socket socket, PrivateKey key, List<X509Certificate> chain,
      String pop, TunnelAuth auth, TunnelEvents events, Limits limits, LongSupplier clockMs) {
    InetSocketAddress address = socket.address();
    String taken = socket.join() ? null : io.edgeproxy.core.net.PortCheck.udpTaken(address);
    if (taken != null) {
      throw new IllegalStateException("cannot listen for device tunnels: " + taken);
    }
    QuicSslContext ssl = QuicSslContextBuilder.forServer(new io.edgeproxy.core.tls.SingleKeyManager(key, chain.toArray(X509Certificate[]::new)), null)
        .applicationProtocols(TunnelWire.ALPN).build();
    Map<String, Tunnel> tunnels = new ConcurrentHashMap<>();
    Supplier<ControlHandler.Server> control = () -> new ControlHandler.Server(pop, auth, events, tunnels, limits, clockMs);
    var codec = UdpTransport.packetSizes(new QuicServerCodecBuilder())
        .sslContext(ssl)
        .maxIdleTimeout(limits.idleTimeoutMs(), TimeUnit.MILLISECONDS)
        .initialMaxData(TcpTunnels.connectionWindow(limits.maxStreams(), limits.streamWindowBytes())) // see connectionWindow
        .initialMaxStreamDataBidirectionalLocal(limits.streamWindowBytes())
        .initialMaxStreamDataBidirectionalRemote(limits.streamWindowBytes())
        .initialMaxStreamsBidirectional(1) // the agent's control stream; every other stream is ours
        .initialMaxStreamsUnidirectional(0)
        .tokenHandler(new HmacTokenHandler())
        .connectionIdAddressGenerator(QuicHandOver.ids(socket.generation()))
        .handler(new ChannelInboundHandlerAdapter() {
          @Override
          public void channelActive(ChannelHandlerContext ctx) {
            expectHello(ctx.channel(), events, limits);
            ctx.fireChannelActive();
          }

          @Override
          public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            logger.debug("tunnel connection from {}: {}", ctx.channel().remoteAddress(), cause.toString());
            ctx.close();
          }

          @Override
          public boolean isSharable() {
            return true;
          }
        })
        .streamHandler(new ChannelInitializer<QuicStreamChannel>() {
          @Override
          protected void initChannel(QuicStreamChannel stream) {
            QuicChannel connection = stream.parent();
            if (connection.attr(ControlHandler.CONTROL).setIfAbsent(Boolean.TRUE) != null) {
              events.misbehaved(connection.remoteSocketAddress(), "opened a second stream (only the control stream is the agent's)");
              connection.close();
              return;
            }
            ControlHandler.install(stream, control.get());
          }
        });
    io.netty.bootstrap.Bootstrap datagrams = UdpTransport.datagrams(group);
    if (UdpTransport.EPOLL) { // so that a new process can take the port over (QuicHandOver)
      datagrams.option(io.netty.channel.epoll.EpollChannelOption.SO_REUSEPORT, true);
    }
    Channel channel = datagrams.handler(codec.build()).bind(address).syncUninterruptibly().channel();
    logger.info("tunnel listener on {} (QUIC, ALPN {})", channel.localAddress(), TunnelWire.ALPN);
    return new TunnelServer(channel, socket.generation(), tunnels, TcpTunnels.serverContext(key, chain), control, events, limits);
  }

  /** Closes {@code connection} unless its agent has said a valid hello within the limit. */
  private static void expectHello(Channel connection, TunnelEvents events, Limits limits) {
    connection.eventLoop().schedule(() -> {
      if (connection.isActive() && connection.attr(ControlHandler.TUNNEL).get() == null) {
        events.refused(ControlHandler.remoteOf(connection), "no hello within " + limits.helloTimeoutMs() + " ms");
        connection.close();
      }
    }, limits.helloTimeoutMs(), TimeUnit.MILLISECONDS);
  }

  /** The TLS context of the TCP fallback: this listener's certificate, ALPN {@value TunnelWire#ALPN}. */
  public SslContext tcpTls() {
    return tcpTls;
  }

  /**
   * Serves an agent's TCP fallback connection (its TLS handshake done, by the HTTPS edge): the same
   * hello, limits and streams as over QUIC ({@link TcpTunnels}).
   */
  public void serveTcp(Channel connection) {
    expectHello(connection, events, limits);
    TcpTunnels.servePop(connection, limits.idleTimeoutMs(), limits.streamWindowBytes(), limits.maxStreams(), control.get(), events);
  }

  static String newTunnelId() {
    byte[] b = new byte[8];
    RANDOM.nextBytes(b);
    return "t-" + HexFormat.of().formatHex(b);
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  /** The byte this listener's connection ids start with. */
  public int generation() {
    return generation;
  }

  /**
   * Before a new process joins this listener's port: its new connections go to the new process,
   * packets of this one's connections still here ({@link QuicHandOver#steer}).
   *
   * @return null when in force, else why not (the new process then gets a share of this one's packets)
   */
  public @org.jspecify.annotations.Nullable String steerNewConnectionsAway() {
    return QuicHandOver.steer(channel, generation);
  }

  /**
   * Asks every agent connected over QUIC ({@code quic}), or over the TCP fallback, to reconnect
   * to this address at once (a GOAWAY whose reason starts with {@link TunnelWire#RELOAD}), where
   * the process taking over answers; their tunnels here stay open for the streams they carry.
   *
   * @return the agents asked
   */
  public int moveAgents(boolean quic) {
    int asked = 0;
    for (Tunnel t : tunnels.values()) {
      if (t.connection() instanceof io.netty.handler.codec.quic.QuicChannel == quic) {
        ControlHandler.goAway(t, TunnelWire.RELOAD + " this POP's new process takes over; reconnect");
        asked++;
      }
    }
    return asked;
  }

  /** The tunnels connected now. */
  public Collection<Tunnel> tunnels() {
    return List.copyOf(tunnels.values());
  }

  /** The tunnel with {@code id} when this POP holds it and it is open. */
  public java.util.Optional<Tunnel> tunnel(String id) {
    Tunnel t = tunnels.get(id);
    return t != null && t.isOpen() ? java.util.Optional.of(t) : java.util.Optional.empty();
  }

  /**
   * Tells every agent to move (GOAWAY), gives them {@code graceMs} to open tunnels elsewhere,
   * then closes the listener and every tunnel.
   */
  public void shutdown(long graceMs) {
    for (Tunnel t : tunnels.values()) {
      ControlHandler.goAway(t, "POP shutting down");
    }
    if (!tunnels.isEmpty() && graceMs > 0) {
      try {
        Thread.sleep(graceMs);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    tunnels.values().forEach(Tunnel::close);
    channel.close().syncUninterruptibly();
  }

  @Override
  public void close() {
    shutdown(0);
  }
}
