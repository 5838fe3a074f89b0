package io.edgeproxy.tunnel;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;

/**
 * Relays one direction of a spliced pair of channels (a tunnel stream and its TCP connection at the
 * agent; a relay stream and a tunnel stream at the holding POP): backpressure by writability, a FIN
 * forwarded as a FIN once what is queued is flushed, both closed when both directions are done or
 * either fails. Both handlers run on the first channel's loop, whatever loop the second lives on.
 */
final class Splice extends ChannelInboundHandlerAdapter {
  private final Channel peer;

  private Splice(Channel peer) {
    this.peer = peer;
  }

  /** Splices {@code a} and {@code b} and starts reading both. */
  static void join(Channel a, Channel b) {
    a.pipeline().addLast(new Splice(b));
    if (b.eventLoop() == a.eventLoop()) {
      b.pipeline().addLast(new Splice(a));
    } else {
      b.pipeline().addLast(a.eventLoop(), "splice", new Splice(a));
    }
    a.config().setAutoRead(true);
    b.config().setAutoRead(true);
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    // A channel of another loop may have closed before this handler was in its pipeline, and the
    // close event then went past it: nothing would ever close the peer.
    if (!ctx.channel().isActive()) {
      peer.close();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    peer.write(msg, peer.voidPromise());
    if (!peer.isWritable()) {
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
    if (ctx.channel().isWritable()) {
      peer.config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      Channel self = ctx.channel();
      peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener((ChannelFutureListener) f -> {
        if (!peer.isActive()) {
          self.close();
          return;
        }
        // The FIN first, then (both directions done) the close: a tunnel stream closed before its
        // FIN would be reset, and the bytes still queued in it lost.
        HalfClose.shutdownOutput(peer).addListener(done -> {
          if (!done.isSuccess() || HalfClose.isOutputShutdown(self)) {
            peer.close();
            self.close();
          }
        });
      });
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (peer.isActive()) {
      peer.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
    peer.close();
  }
}
