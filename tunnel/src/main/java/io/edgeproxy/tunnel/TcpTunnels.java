package io.edgeproxy.tunnel;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.util.List;
import java.util.concurrent.TimeUnit;
import javax.net.ssl.SSLException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The TCP fallback of device tunnels: a TLS connection with ALPN {@value TunnelWire#ALPN} (on the
 * HTTPS edge's port) carrying HTTP/2 with the roles turned around, as the POP must open the
 * streams: the POP is HTTP/2's client, the agent its server. Stream 1, opened by the POP, is the
 * control stream (the same lines as over QUIC, the agent speaking first); every later stream is one
 * client connection. {@link H2StreamBytes} makes each stream a byte stream with half-close, so
 * everything above (control, splices, the proxy) is the same for both transports.
 */
final class TcpTunnels {
  private static final Logger logger = LoggerFactory.getLogger(TcpTunnels.class);
  /**
   * The connection-level receive window for {@code streams} streams of {@code streamWindow} bytes:
   * room for all of them at once, so streams paused by slow clients (each holding its window
   * until read) can never use up the connection's and starve the others and the control stream
   * (whose pings would stop, and the idle timeout close the tunnel). Memory stays bounded by the
   * stream windows, as before.
   */
  static int connectionWindow(int streams, long streamWindow) {
    return (int) Math.min(Integer.MAX_VALUE, (streams + 1L) * streamWindow);
  }
  /** The agent's receive window per stream (the POP's is its {@code Limits.streamWindowBytes}). */
  static final int STREAM_WINDOW = 1 << 20;
  /** The largest DATA frame either side accepts: a bulk transfer in fewer, larger frames. */
  static final int MAX_FRAME = 1 << 20;

  private TcpTunnels() {}

  private static ApplicationProtocolConfig alpn() {
    return new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, TunnelWire.ALPN);
  }

  /**
   * Every stream flushes on its own, from its client's or app's event loop; held until the
   * connection's loop has run what is queued, they leave as one TLS record and one write instead
   * of one each (as the HTTPS edge's HTTP/2 does).
   */
  private static FlushConsolidationHandler flushes() {
    return new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true);
  }

  /** The POP's TLS context for tunnel connections on the HTTPS edge. */
  static SslContext serverContext(PrivateKey key, List<X509Certificate> chain) {
    try {
      return SslContextBuilder.forServer(new io.edgeproxy.core.tls.SingleKeyManager(key, chain.toArray(X509Certificate[]::new))).applicationProtocolConfig(alpn()).build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build the device tunnels' TLS context: " + e.getMessage(), e);
    }
  }

  /** The agent's TLS context: the POP's certificate must chain to {@code trust} (null: the JDK's trust store). */
  static SslContext clientContext(@Nullable List<X509Certificate> trust) {
    try {
      SslContextBuilder builder = SslContextBuilder.forClient().applicationProtocolConfig(alpn());
      if (trust != null) {
        builder.trustManager(trust.toArray(X509Certificate[]::new));
      }
      return builder.build();
    } catch (SSLException e) {
      throw new IllegalStateException("cannot build the tunnel agent's TLS context: " + e.getMessage(), e);
    }
  }

  /**
   * The POP's side of a connection whose handshake is done: HTTP/2 as the client, the control
   * stream opened at once with {@code control} on it. Silence for {@code idleMs} closes it.
   */
  static void servePop(Channel connection, long idleMs, long windowBytes, int maxStreams, ChannelInboundHandlerAdapter control,
      TunnelEvents events) {
    ChannelPipeline p = connection.pipeline();
    p.addLast(new IdleStateHandler(idleMs, 0, 0, TimeUnit.MILLISECONDS));
    p.addLast(flushes());
    p.addLast(Http2FrameCodecBuilder.forClient()
        .initialSettings(Http2Settings.defaultSettings().pushEnabled(false).maxConcurrentStreams(0).initialWindowSize((int) windowBytes)
            .maxFrameSize(MAX_FRAME))
        .build());
    p.addLast(new Http2MultiplexHandler(new ChannelInboundHandlerAdapter() {
      @Override
      public void channelRegistered(ChannelHandlerContext ctx) {
        ctx.close(); // cannot happen (a server opens no streams, push is off), but never serve one
      }
    }));
    p.addLast(new ConnectionGuard("agent", why -> events.misbehaved(connection.remoteAddress(), why)));
    connection.writeAndFlush(new DefaultHttp2WindowUpdateFrame(connectionWindow(maxStreams, windowBytes) - 65_535));
    new Http2StreamChannelBootstrap(connection).handler(new ChannelInitializer<Http2StreamChannel>() {
      @Override
      protected void initChannel(Http2StreamChannel stream) {
        stream.pipeline().addLast(new H2StreamBytes(true));
        ControlHandler.install(stream, control);
      }
    }).open().addListener(f -> {
      if (!f.isSuccess()) {
        logger.debug("tunnel connection from {}: cannot open the control stream: {}", connection.remoteAddress(), f.cause().toString());
        connection.close();
      }
    });
  }

  /**
   * The agent's side of a new TCP connection whose first handler is its {@code SslHandler}: once
   * the handshake is done (not before: HTTP/2's server writes at once, and a write before the
   * connection is up would start TLS too early and lose the ClientHello), HTTP/2 as the server;
   * the first stream is the control stream ({@code control}), every other goes to {@code serve}.
   */
  static void serveAgent(Channel connection, long idleMs, int maxStreams, ChannelInitializer<Http2StreamChannel> control,
      ChannelInitializer<Http2StreamChannel> serve) {
    connection.pipeline().addLast(new ChannelInboundHandlerAdapter() {
      @Override
      public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
        if (evt instanceof SslHandshakeCompletionEvent done && done.isSuccess()) {
          ChannelPipeline p = ctx.pipeline();
          p.remove(this);
          p.addLast(new IdleStateHandler(idleMs, 0, 0, TimeUnit.MILLISECONDS));
          p.addLast(flushes());
          p.addLast(Http2FrameCodecBuilder.forServer()
              .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(maxStreams + 1L).initialWindowSize(STREAM_WINDOW)
                  .maxFrameSize(MAX_FRAME))
              .build());
          p.addLast(new Http2MultiplexHandler(new ChannelInitializer<Http2StreamChannel>() {
            private boolean first = true;

            @Override
            protected void initChannel(Http2StreamChannel stream) {
              stream.pipeline().addLast(new H2StreamBytes(false));
              stream.pipeline().addLast(first ? control : serve);
              first = false;
            }
          }));
          p.addLast(new ConnectionGuard("POP", why -> { }));
          ctx.channel().writeAndFlush(new DefaultHttp2WindowUpdateFrame(connectionWindow(maxStreams, STREAM_WINDOW) - 65_535));
        }
        ctx.fireUserEventTriggered(evt);
      }
    });
  }

  /** Closes a tunnel connection that went silent or failed; a protocol error (garbage, a reset flood) is reported. */
  private static final class ConnectionGuard extends ChannelInboundHandlerAdapter {
    private final String other;
    private final java.util.function.Consumer<String> misbehaved;
    private boolean reported;

    ConnectionGuard(String other, java.util.function.Consumer<String> misbehaved) {
      this.other = other;
      this.misbehaved = misbehaved;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof IdleStateEvent || evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
        logger.debug("tunnel connection {}: {}; closed", ctx.channel().remoteAddress(),
            evt instanceof IdleStateEvent ? "silent too long" : "the other side closed");
        ctx.close();
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      logger.debug("tunnel connection to the {} at {}: {}", other, ctx.channel().remoteAddress(), cause.toString());
      if (!reported && (cause instanceof io.netty.handler.codec.http2.Http2Exception
          || cause.getCause() instanceof io.netty.handler.codec.http2.Http2Exception)) {
        reported = true;
        misbehaved.accept("HTTP/2 protocol error on the TCP fallback: " + cause.getMessage());
      }
      ctx.close();
    }
  }
}
