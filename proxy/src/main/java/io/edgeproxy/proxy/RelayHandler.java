package io.edgeproxy.proxy;

import io.edgeproxy.tunnel.HalfClose;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelPromise;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.channel.socket.DuplexChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.ssl.SslCloseCompletionEvent;
import io.netty.handler.ssl.SslHandler;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Relays what one side sends to the other side ({@code peer}). One instance per direction.
 *
 * <ul>
 *   <li>Backpressure: when the peer's outbound buffer passes its high-water mark, this side stops
 *       reading until the peer drains below the low-water mark, so a slow reader never makes the
 *       proxy buffer without bound.
 *   <li>Half-close: when this side shuts its output (FIN), the peer's output is shut after what
 *       is queued has been flushed; once both directions are shut, both channels close.
 *   <li>Close: when this side closes, the peer is flushed, then closed.
 * </ul>
 *
 * <p>Runs on the channels' shared event loop only.
 */
final class RelayHandler extends ChannelInboundHandlerAdapter {
  private static final Logger logger = LoggerFactory.getLogger(RelayHandler.class);

  private final Channel peer;
  private final @Nullable SslHandler peerTls;
  private final ProxyConnection connection;
  private final java.util.function.LongConsumer bytesRelayed;

  /** @param peerTls the peer's {@code SslHandler} when the HTTPS edge ended TLS on it, else null */
  RelayHandler(Channel peer, @Nullable SslHandler peerTls, ProxyConnection connection, java.util.function.LongConsumer bytesRelayed) {
    this.peer = peer;
    this.peerTls = peerTls;
    this.connection = connection;
    this.bytesRelayed = bytesRelayed;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    connection.touch();
    if (msg instanceof io.netty.buffer.ByteBuf buf) {
      bytesRelayed.accept(buf.readableBytes());
    }
    peer.write(msg, peer.voidPromise());
    if (!peer.isWritable()) {
      // Pause first: the flush may drain the peer at once, and its writability event then resumes us.
      ctx.channel().config().setAutoRead(false);
      peer.flush();
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    peer.flush();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    // This side drained: let the peer read (and so send us) more.
    if (ctx.channel().isWritable()) {
      peer.config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    // A TLS client's close_notify ends its data as a FIN does (after it, no byte can follow), and
    // once the SslHandler has seen it, the FIN itself may never reach this handler: without this,
    // backend connections were left in CLOSE-WAIT under a Connection: close load.
    if (evt instanceof ChannelInputShutdownEvent || evt instanceof SslCloseCompletionEvent) {
      relayHalfClose(ctx.channel(), peer, peerTls);
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  /**
   * {@code self} sent its FIN. If the other direction already finished (our output to {@code self}
   * is shut), flush and close both: close sends the FIN and saves a shutdown call. Otherwise shut
   * the peer's output once what is queued for it is flushed, and close both when the other
   * direction finishes too.
   */
  static void relayHalfClose(Channel self, Channel peer, @Nullable SslHandler peerTls) {
    if (HalfClose.isOutputShutdown(self)) {
      Relays.flushed(peer, peerTls).addListener((ChannelFutureListener) f -> {
        peer.close();
        self.close();
      });
      return;
    }
    Relays.flushed(peer, peerTls).addListener((ChannelFutureListener) f -> {
      if (!peer.isActive()) {
        self.close();
        return;
      }
      shutOutput(peer, peerTls).addListener((ChannelFutureListener) done -> {
        if (!done.isSuccess() || HalfClose.isOutputShutdown(self)) {
          self.close();
          peer.close();
        } else if (peer instanceof SocketChannel) {
          closeOnFin(peer);
        }
      });
    });
  }

  /**
   * From now on the peer's FIN closes {@code socket} (and its relay closes the other side after
   * flushing it, in {@link #channelInactive}), which is what {@link #relayHalfClose} would do. With
   * half-closure allowed, the transport first shut the socket's input (shutdown(SHUT_RD)), which
   * fails with ENOTCONN once both FINs have crossed and cost a {@code NotYetConnectedException}
   * with its stack trace per connection: 2 % of a Connection: close load's CPU (perf).
   */
  private static void closeOnFin(Channel socket) {
    socket.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, false);
  }

  /** Sends the FIN; on a TLS connection the HTTPS edge terminated, after a close_notify (RFC 8446 section 6.1). */
  private static ChannelFuture shutOutput(Channel channel, @Nullable SslHandler tls) {
    if (tls == null) {
      return HalfClose.shutdownOutput(channel); // a socket, or a stream through a device tunnel
    }
    ChannelPromise done = channel.newPromise();
    tls.closeOutbound().addListener(f -> ((DuplexChannel) channel).shutdownOutput(done));
    return done;
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    Relays.flushAndClose(peer, peerTls);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    logger.debug("relay {} -> {} failed: {}", ctx.channel().remoteAddress(), peer.remoteAddress(), cause.toString());
    ctx.close();
  }

  /** Small helpers shared by the proxy's handlers. */
  static final class Relays {
    private Relays() {}

    /** Closes {@code channel} once what is queued for it is written ({@code tls}: its SslHandler, if TLS ended on it). */
    static void flushAndClose(Channel channel, @Nullable SslHandler tls) {
      if (channel.isActive()) {
        flushed(channel, tls).addListener(ChannelFutureListener.CLOSE);
      } else {
        channel.close(); // not active is not closed: make sure the descriptor goes
      }
    }

    /**
     * Done once what is queued for {@code channel} is written. On a TLS connection the edge
     * terminated, an empty write through the {@code SslHandler} may never complete (seen as
     * backend sockets left in CLOSE-WAIT under load), and it is not needed: the close_notify or
     * close that follows is queued behind the pending data, so a flush is enough.
     */
    static ChannelFuture flushed(Channel channel, @Nullable SslHandler tls) {
      if (tls != null) {
        channel.flush();
        return channel.newSucceededFuture();
      }
      return channel.writeAndFlush(Unpooled.EMPTY_BUFFER);
    }
  }
}
