package io.edgeproxy.tunnel;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import io.edgeproxy.core.geo.SocketAddresses;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The agent's link to one POP: connect, hello, pings, the streams the POP opens, and backoff after
 * a failure. Runs on the agent's single event loop. QUIC first; when no QUIC handshake completes
 * (UDP blocked on the way), TCP+TLS to the same host on the fallback port (the POP's HTTPS edge,
 * {@link TcpTunnels}), which this link then keeps using.
 */
public final class PopLink {
  private static final Logger logger = LoggerFactory.getLogger(PopLink.class);
  private static final long CONNECT_TIMEOUT_MS = 5_000;
  /** After a tunnel came up over TCP, reconnects go straight to TCP for this long, then try QUIC again. */
  static final long RETRY_QUIC_AFTER_MS = 10 * 60_000;
  private static final long NEVER = Long.MIN_VALUE;

  enum State { DOWN, CONNECTING, HELLO, SERVING, LEAVING }

  /** What {@code edgeproxy tunnel run} reports per POP. */
  public record View(String pop, String address, String state, @Nullable String transport, @Nullable String tunnelId, long rttNanos,
      int openStreams, @Nullable String lastError) {}

  private final TunnelAgent agent;
  private final InetSocketAddress endpoint; // unresolved: resolved again on every connect
  private final String where; // endpoint as given, for messages
  private final AtomicInteger openStreams = new AtomicInteger();
  private volatile State state = State.DOWN;
  private volatile @Nullable String tunnelId;
  private volatile @Nullable String popName;
  private volatile long rttNanos = -1;
  private volatile @Nullable String lastError;
  private @Nullable Channel connection; // QUIC, or TCP after a fallback
  private @Nullable Channel udp;
  private long tcpSinceMs = NEVER; // when a tunnel last came up over the TCP fallback; QUIC is tried again after a while
  private @Nullable Channel control;
  private @Nullable ScheduledFuture<?> pinger;
  private boolean retiring;
  private int attempts;
  private long nextTryMs;
  private long lastProbeMs = Long.MIN_VALUE / 2;
  private long pingN;
  private long pingSentNanos;

  PopLink(TunnelAgent agent, InetSocketAddress endpoint) {
    this.agent = agent;
    this.endpoint = endpoint;
    this.where = SocketAddresses.format(endpoint);
  }

  /** A POP's tunnel address as given ({@code host:port}), unresolved. */
  static InetSocketAddress parse(String hostPort) {
    InetSocketAddress parsed = SocketAddresses.parseUnresolved(hostPort);
    if (parsed == null || parsed.getPort() == 0) {
      throw new IllegalArgumentException("POP address '" + hostPort.trim() + "' (expected: HOST:PORT with a port 1-65535)");
    }
    return parsed;
  }

  void connect() {
    state = State.CONNECTING;
    retiring = false;
    lastProbeMs = agent.nowMs();
    InetSocketAddress address = new InetSocketAddress(endpoint.getHostString(), endpoint.getPort()); // resolved now, every time
    if (address.isUnresolved()) {
      failed("cannot resolve " + endpoint.getHostString());
      return;
    }
    TunnelAgent.Transport transport = agent.settings().transport();
    if (transport == TunnelAgent.Transport.TCP
        || (transport == TunnelAgent.Transport.AUTO && tcpSinceMs != NEVER && agent.nowMs() - tcpSinceMs < RETRY_QUIC_AFTER_MS)) {
      connectTcp(address, null); // QUIC failed here lately: do not wait for it again on every reconnect
      return;
    }
    TunnelAgent.Settings s = agent.settings();
    var codec = UdpTransport.packetSizes(new QuicClientCodecBuilder())
        .sslEngineProvider(q -> agent.ssl().newEngine(q.alloc(), endpoint.getHostString(), endpoint.getPort()))
        .maxIdleTimeout(s.idleTimeoutMs(), TimeUnit.MILLISECONDS)
        .initialMaxData(TcpTunnels.connectionWindow(s.maxStreams(), TcpTunnels.STREAM_WINDOW)) // see connectionWindow
        .initialMaxStreamDataBidirectionalLocal(TcpTunnels.STREAM_WINDOW)
        .initialMaxStreamDataBidirectionalRemote(TcpTunnels.STREAM_WINDOW)
        .initialMaxStreamsBidirectional(s.maxStreams())
        .initialMaxStreamsUnidirectional(0)
        .build();
    UdpTransport.datagrams(agent.group()).handler(codec)
        .bind(new InetSocketAddress(0)).addListener((ChannelFutureListener) bound -> {
          if (!bound.isSuccess()) {
            failed("cannot open a UDP socket: " + bound.cause());
            return;
          }
          udp = bound.channel();
          handshake(bound.channel(), address);
        });
  }

  private void handshake(Channel datagrams, InetSocketAddress address) {
    TunnelAgent.Settings s = agent.settings();
    var connecting = QuicChannel.newBootstrap(datagrams)
        .handler(new ChannelInboundHandlerAdapter())
        .streamHandler(new ChannelInitializer<QuicStreamChannel>() {
          @Override
          protected void initChannel(QuicStreamChannel stream) {
            serve(stream);
          }
        })
        .remoteAddress(address)
        .connect();
    ScheduledFuture<?> timeout = datagrams.eventLoop().schedule(() -> {
      if (!connecting.isDone()) {
        connecting.cancel(false);
      }
    }, CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
    connecting.addListener(f -> {
      timeout.cancel(false);
      if (!f.isSuccess()) {
        datagrams.close();
        connectTcp(address, "QUIC to " + where + (f.isCancelled() ? ": no answer within " + CONNECT_TIMEOUT_MS + " ms"
            : ": " + (f.cause() == null ? "failed" : describe(f.cause()))));
        return;
      }
      QuicChannel quic = (QuicChannel) f.getNow();
      connection = quic;
      quic.closeFuture().addListener(c -> closed(quic, datagrams));
      quic.createStream(QuicStreamType.BIDIRECTIONAL, new ChannelInitializer<QuicStreamChannel>() {
        @Override
        protected void initChannel(QuicStreamChannel stream) {
          ControlHandler.install(stream, new AgentControl());
        }
      }).addListener(cs -> {
        if (!cs.isSuccess()) {
          lastError = "cannot open the control stream: " + cs.cause();
          quic.close();
          return;
        }
        hello((Channel) cs.getNow());
      });
    });
  }

  private void hello(Channel stream) {
    TunnelAgent.Settings s = agent.settings();
    control = stream;
    state = State.HELLO;
    ControlHandler.send(stream, new TunnelWire.Hello(s.app(), s.agentId(), s.token()));
  }

  /**
   * The TCP fallback: TLS to the POP's HTTPS edge port, ALPN {@value TunnelWire#ALPN}, HTTP/2 with
   * this agent as the server. {@code quicFailure}: why QUIC did not come up (null when TCP is tried first).
   */
  private void connectTcp(InetSocketAddress quicAddress, @Nullable String quicFailure) {
    TunnelAgent.Settings s = agent.settings();
    if (retiring || agent.isClosed()) {
      state = State.DOWN; // closed on purpose while QUIC was still trying
      return;
    }
    if (s.fallbackPort() == 0 || s.transport() == TunnelAgent.Transport.QUIC) {
      failed(quicFailure + (s.fallbackPort() == 0 ? " (no TCP fallback: --fallback-port 0)" : " (no TCP fallback: --transport quic)"));
      return;
    }
    InetSocketAddress address = new InetSocketAddress(quicAddress.getAddress(), s.fallbackPort());
    String tcpWhere = endpoint.getHostString() + ":" + s.fallbackPort() + " (TCP)";
    if (quicFailure != null) {
      logger.info("tunnel to {}: {}; trying TCP on port {}", where, quicFailure, s.fallbackPort());
    }
    new Bootstrap().group(agent.group()).channel(UdpTransport.socket())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT_MS)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            SslHandler tls = agent.tcpSsl().newHandler(ch.alloc(), endpoint.getHostString(), s.fallbackPort());
            tls.setHandshakeTimeoutMillis(CONNECT_TIMEOUT_MS);
            ch.pipeline().addLast(tls);
            TcpTunnels.serveAgent(ch, s.idleTimeoutMs(), s.maxStreams(), new ChannelInitializer<Http2StreamChannel>() {
              @Override
              protected void initChannel(Http2StreamChannel stream) {
                ControlHandler.install(stream, new AgentControl());
                stream.pipeline().addLast(new ChannelInboundHandlerAdapter() {
                  @Override
                  public void channelActive(ChannelHandlerContext ctx) {
                    hello(ctx.channel()); // the POP opened the control stream; the agent speaks first on it
                    ctx.fireChannelActive();
                  }
                });
              }
            }, new ChannelInitializer<Http2StreamChannel>() {
              @Override
              protected void initChannel(Http2StreamChannel stream) {
                serve(stream);
              }
            });
          }
        })
        .connect(address)
        .addListener((ChannelFutureListener) f -> {
          if (!f.isSuccess()) {
            failed((quicFailure == null ? "" : quicFailure + "; ") + "cannot connect to " + tcpWhere + ": " + describe(f.cause()));
            return;
          }
          Channel tcp = f.channel();
          connection = tcp;
          tcp.closeFuture().addListener(c -> closed(tcp, null));
          SslHandler tls = tcp.pipeline().get(SslHandler.class);
          tls.handshakeFuture().addListener(h -> {
            if (!h.isSuccess() || !TunnelWire.ALPN.equals(tls.applicationProtocol())) {
              connection = null; // this failure, not the close that follows, is what to report
              tcp.close();
              failed((quicFailure == null ? "" : quicFailure + "; ") + tcpWhere + ": " + (h.isSuccess()
                  ? "the POP does not serve device tunnels over TCP (no ALPN " + TunnelWire.ALPN + ")" : describe(h.cause())));
            }
          });
        });
  }

  /** A stream the POP opened: one client connection, spliced to a new connection to the app. */
  private void serve(Channel stream) {
    stream.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true); // QUIC; HTTP/2 streams half-close by H2StreamBytes
    stream.config().setAutoRead(false);
    stream.pipeline().addLast(FinOnClose.INSTANCE, new StreamPreamble());
    openStreams.incrementAndGet();
    stream.closeFuture().addListener(f -> openStreams.decrementAndGet());
    new Bootstrap().group(agent.apps()).channel(UdpTransport.appSocket())
        .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .option(ChannelOption.AUTO_READ, false)
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) CONNECT_TIMEOUT_MS)
        .handler(new ChannelInboundHandlerAdapter())
        .connect(agent.settings().target())
        .addListener((ChannelFutureListener) f -> stream.eventLoop().execute(() -> {
          // On the stream's loop, where its close is decided: a stream closed meanwhile is not spliced.
          if (f.isSuccess() && stream.isActive()) {
            Splice.join(stream, f.channel());
          } else {
            logger.debug("tunnel stream to {}: {}", agent.settings().target(), f.cause() == null ? "stream closed" : f.cause().toString());
            f.channel().close();
            stream.close();
          }
        }));
  }

  private static String describe(Throwable cause) {
    return cause.getMessage() != null ? cause.getMessage() : cause.getClass().getSimpleName();
  }

  private void failed(String why) {
    String refused = lastError != null && lastError.startsWith("refused: ") && state == State.HELLO ? lastError : null;
    lastError = refused != null ? refused : why; // a refusal says more than the close that follows it
    state = State.DOWN;
    attempts++;
    long wait = TunnelAgent.backoffMs(attempts);
    nextTryMs = agent.nowMs() + wait;
    logger.info("tunnel to {}: {}; next try in {} ms", where, why, wait);
    agent.linkLost();
  }

  private void closed(Channel closed, @Nullable Channel datagrams) {
    if (datagrams != null) {
      datagrams.close();
    }
    if (closed != connection) {
      return; // a connection already moved away from (a reload GOAWAY): the link has a new one
    }
    if (pinger != null) {
      pinger.cancel(false);
    }
    boolean wasServing = state == State.SERVING || state == State.LEAVING;
    connection = null;
    if (!wasServing && closed.pipeline().get(SslHandler.class) instanceof SslHandler tls && !tls.handshakeFuture().isDone()) {
      return; // a TCP fallback whose handshake failed: its handshake listener reports why
    }
    control = null;
    tunnelId = null;
    if (retiring || agent.isClosed()) {
      state = State.DOWN;
      return;
    }
    failed(wasServing ? "tunnel " + (popName == null ? "" : "at " + popName + " ") + "closed" : "closed before the POP welcomed us");
  }

  private void sendPing() {
    Channel c = control;
    if (c != null && c.isActive()) {
      pingN++;
      pingSentNanos = System.nanoTime();
      // Over TCP the POP cannot measure the path itself: it is told this agent's measure.
      long rtt = connection != null && !(connection instanceof QuicChannel) && rttNanos >= 0 ? rttNanos / 1_000 : -1;
      ControlHandler.send(c, new TunnelWire.Ping(pingN, rtt));
    }
  }

  /** The agent's side of the control stream. */
  private final class AgentControl extends SimpleChannelInboundHandler<String> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, String line) {
      if (ctx.channel().parent() != connection) {
        return; // a connection this link moved away from: it only carries its last streams
      }
      switch (TunnelWire.parse(line)) {
        case TunnelWire.Welcome w -> {
          tunnelId = w.tunnelId();
          popName = w.pop();
          state = State.SERVING;
          boolean tcp = !(connection instanceof QuicChannel);
          tcpSinceMs = tcp ? agent.nowMs() : NEVER;
          attempts = 0;
          lastError = null;
          logger.info("tunnel {} up at POP {} ({}{})", w.tunnelId(), w.pop(), where, tcp ? ", over the TCP fallback" : "");
          sendPing();
          long every = agent.settings().pingEveryMs();
          pinger = ctx.executor().scheduleAtFixedRate(PopLink.this::sendPing, every, every, TimeUnit.MILLISECONDS);
        }
        case TunnelWire.Pong p -> {
          if (p.n() == pingN) {
            long sample = System.nanoTime() - pingSentNanos;
            rttNanos = rttNanos < 0 ? sample : (rttNanos * 3 + sample) / 4;
          }
        }
        case TunnelWire.Refused r -> {
          logger.warn("POP {} refused this agent: {}", where, r.reason());
          lastError = "refused: " + r.reason();
          attempts = Math.max(attempts, 5); // a refusal does not heal in a second: wait long
        }
        case TunnelWire.GoAway g when g.reason().startsWith(TunnelWire.RELOAD) -> moveInPlace(g.reason());
        case TunnelWire.GoAway g -> {
          logger.info("POP {} asks its agents to move ({}); opening a tunnel elsewhere", popName, g.reason());
          state = State.LEAVING;
          agent.linkLost();
          Channel leaving = ctx.channel().parent();
          ctx.executor().schedule(() -> {
            if (connection == leaving) { // not a tunnel opened since (after the POP closed this one)
              retire("GOAWAY");
            }
          }, 30, TimeUnit.SECONDS);
        }
        case TunnelWire.Invalid i -> {
          lastError = "POP sent garbage: " + i.reason();
          ctx.channel().parent().close();
        }
        default -> {
          lastError = "unexpected message from the POP: " + line;
          ctx.channel().parent().close();
        }
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      lastError = cause.toString();
      ctx.channel().parent().close();
    }
  }

  /**
   * The POP's process is being replaced on the same address: a new tunnel there at once, while the
   * old connection carries its open streams for at most 30 s (the POP closes it when it is done).
   */
  private void moveInPlace(String reason) {
    Channel old = connection;
    if (old == null) {
      return;
    }
    logger.info("POP {} is being replaced ({}): reconnecting to {}; the old tunnel keeps its open streams", popName, reason, where);
    if (pinger != null) {
      pinger.cancel(false);
      pinger = null;
    }
    connection = null;
    udp = null; // the old connection's socket, closed with it (see closed)
    control = null;
    tunnelId = null;
    state = State.DOWN;
    attempts = 0;
    nextTryMs = 0;
    old.eventLoop().schedule(() -> {
      old.close();
    }, 30, TimeUnit.SECONDS);
    agent.linkLost();
  }

  /** Closes this tunnel by choice (a nearer POP, GOAWAY, shutdown): no backoff follows. */
  void retire(String why) {
    Channel c = connection;
    if (c != null) {
      logger.info("closing tunnel to {}: {}", popName == null ? where : popName, why);
      retiring = true;
      c.close();
    }
  }

  void close() {
    retiring = true;
    Channel c = connection;
    if (c != null) {
      c.close();
    }
    Channel u = udp;
    if (u != null) {
      u.close();
    }
  }

  boolean serving() {
    return state == State.SERVING;
  }

  boolean connecting() {
    return state == State.CONNECTING || state == State.HELLO;
  }

  boolean idle() {
    return state == State.DOWN;
  }

  boolean mayTry(long nowMs) {
    return nowMs >= nextTryMs;
  }

  boolean dueForProbe(long nowMs) {
    return nowMs - lastProbeMs >= TunnelAgent.PROBE_EVERY_MS;
  }

  long rttNanos() {
    return rttNanos;
  }

  long rankRtt() {
    return rttNanos < 0 ? Long.MAX_VALUE : rttNanos;
  }

  int openStreams() {
    return openStreams.get();
  }

  View view() {
    Channel c = connection;
    return new View(popName == null ? where : popName, where, state.name().toLowerCase(java.util.Locale.ROOT),
        c == null ? null : c instanceof QuicChannel ? "quic" : "tcp", tunnelId, rttNanos, openStreams.get(), lastError);
  }
}
