package io.edgeproxy.tunnel;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.LongSupplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The control stream's framing (one line per message) and the POP's side of it. */
final class ControlHandler {
  static final AttributeKey<Boolean> CONTROL = AttributeKey.valueOf("edgeproxy.tunnel.control");
  static final AttributeKey<Tunnel> TUNNEL = AttributeKey.valueOf("edgeproxy.tunnel");
  private static final AttributeKey<Channel> CONTROL_STREAM = AttributeKey.valueOf("edgeproxy.tunnel.controlStream");
  private static final Logger logger = LoggerFactory.getLogger(ControlHandler.class);

  private ControlHandler() {}

  /** Frames {@code stream} as a control stream and hands its messages to {@code handler}. */
  static void install(Channel stream, ChannelHandler handler) {
    stream.parent().attr(CONTROL_STREAM).set(stream);
    stream.pipeline().addLast(new LineBasedFrameDecoder(TunnelWire.MAX_LINE, true, true),
        new StringDecoder(StandardCharsets.UTF_8), handler);
  }

  /** The agent's address: a QUIC connection's remote socket address, or the TCP connection's. */
  static java.net.SocketAddress remoteOf(Channel connection) {
    return connection instanceof QuicChannel quic ? quic.remoteSocketAddress() : connection.remoteAddress();
  }

  static void send(Channel stream, TunnelWire.Message message) {
    stream.writeAndFlush(Unpooled.copiedBuffer(TunnelWire.encode(message) + "\n", StandardCharsets.UTF_8));
  }

  static void goAway(Tunnel tunnel, String reason) {
    Channel stream = tunnel.connection().attr(CONTROL_STREAM).get();
    if (stream != null && stream.isActive()) {
      send(stream, new TunnelWire.GoAway(reason));
    }
  }

  /** The POP's side: hello, authentication, pings. */
  static final class Server extends SimpleChannelInboundHandler<String> {
    private static final int MAX_PINGS_PER_SECOND = 20;
    private final String pop;
    private final TunnelAuth auth;
    private final TunnelEvents events;
    private final Map<String, Tunnel> tunnels;
    private final TunnelServer.Limits limits;
    private final LongSupplier clockMs;
    private long windowStartMs;
    private int pingsInWindow;

    Server(String pop, TunnelAuth auth, TunnelEvents events, Map<String, Tunnel> tunnels, TunnelServer.Limits limits,
        LongSupplier clockMs) {
      this.pop = pop;
      this.auth = auth;
      this.events = events;
      this.tunnels = tunnels;
      this.limits = limits;
      this.clockMs = clockMs;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, String line) {
      Channel connection = ctx.channel().parent();
      Tunnel tunnel = connection.attr(TUNNEL).get();
      TunnelWire.Message message = TunnelWire.parse(line);
      if (tunnel == null) {
        if (message instanceof TunnelWire.Hello hello) {
          welcome(ctx, connection, hello);
        } else {
          misbehaved(connection, message instanceof TunnelWire.Invalid i ? i.reason() : "expected HELLO first, got " + message);
        }
        return;
      }
      switch (message) {
        case TunnelWire.Ping ping -> {
          long now = clockMs.getAsLong();
          if (now - windowStartMs >= 1000) {
            windowStartMs = now;
            pingsInWindow = 0;
          }
          if (++pingsInWindow > MAX_PINGS_PER_SECOND) {
            misbehaved(connection, "more than " + MAX_PINGS_PER_SECOND + " pings a second");
            return;
          }
          send(ctx.channel(), new TunnelWire.Pong(ping.n()));
          if (connection instanceof QuicChannel quic) {
            quic.collectPathStats(0).addListener(f -> {
              if (f.isSuccess()) {
                tunnel.rtt(((io.netty.handler.codec.quic.QuicConnectionPathStats) f.getNow()).rtt());
              }
            });
          } else if (ping.rttMicros() >= 0) {
            tunnel.rtt(TimeUnit.MICROSECONDS.toNanos(ping.rttMicros())); // over TCP, the agent's own measure
          }
        }
        case TunnelWire.Invalid invalid -> misbehaved(connection, invalid.reason());
        default -> misbehaved(connection, "unexpected " + message.getClass().getSimpleName().toUpperCase(java.util.Locale.ROOT)
            + " from an agent");
      }
    }

    private void welcome(ChannelHandlerContext ctx, Channel connection, TunnelWire.Hello hello) {
      String why = auth.refuse(hello.app(), hello.token());
      InetSocketAddress remote = (InetSocketAddress) remoteOf(connection);
      if (why != null) {
        events.refused(remote, "agent " + hello.agent() + " for app " + hello.app() + ": " + why);
        ctx.channel().writeAndFlush(Unpooled.copiedBuffer(TunnelWire.encode(new TunnelWire.Refused(why)) + "\n",
            StandardCharsets.UTF_8)).addListener((ChannelFutureListener) f -> connection.close());
        return;
      }
      Tunnel tunnel = new Tunnel(TunnelServer.newTunnelId(), hello.app(), hello.agent(), remote, clockMs.getAsLong(), connection,
          limits.maxStreams());
      connection.attr(TUNNEL).set(tunnel);
      tunnels.put(tunnel.id(), tunnel);
      connection.closeFuture().addListener(f -> {
        tunnels.remove(tunnel.id());
        events.disconnected(tunnel);
      });
      send(ctx.channel(), new TunnelWire.Welcome(tunnel.id(), pop));
      events.connected(tunnel);
    }

    private void misbehaved(Channel connection, String reason) {
      events.misbehaved(remoteOf(connection), reason);
      connection.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      ctx.channel().parent().close(); // no control stream, no tunnel
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      Channel connection = ctx.channel().parent();
      logger.debug("tunnel control stream from {}: {}", remoteOf(connection), cause.toString());
      misbehaved(connection, cause instanceof io.netty.handler.codec.TooLongFrameException
          ? "a control line longer than " + TunnelWire.MAX_LINE + " bytes" : cause.getMessage());
    }
  }
}
