package io.edgeproxy.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers length-framed queries on one TCP connection (RFC 7766), in order, pipelining allowed.
 * A client that does not read its responses stops being read from (reads resume when the
 * outbound buffer drains), so one slow client holds at most one read and the write buffer's high
 * water mark. Forwarded queries are answered when their reply comes, possibly after later
 * queries (RFC 7766 6.2.1.1 allows it); while any is pending, the connection is neither closed
 * as idle nor at the client's half-close. One handler per connection; runs on the connection's
 * event loop only.
 */
final class TcpDnsHandler extends ChannelInboundHandlerAdapter implements ClientReply {
  private static final Logger logger = LoggerFactory.getLogger(TcpDnsHandler.class);

  private final DnsResponder responder;
  private @Nullable ChannelHandlerContext ctx;
  private int forwarding;
  private boolean inputEnded;

  TcpDnsHandler(DnsResponder responder) {
    this.responder = responder;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    this.ctx = ctx;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf frame = (ByteBuf) msg;
    ByteBuf out = ctx.alloc().ioBuffer(512);
    boolean send = false;
    try {
      out.writeShort(0); // the length, set below
      InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
      send = responder.respond(frame, remote.getAddress(), true, out, this);
      if (send) {
        out.setShort(0, out.readableBytes() - 2);
      }
    } finally {
      frame.release();
      if (send) {
        ctx.write(out, ctx.voidPromise());
      } else {
        out.release();
      }
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    ctx.flush();
    if (!ctx.channel().isWritable()) {
      ctx.channel().config().setAutoRead(false);
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    if (ctx.channel().isWritable()) {
      ctx.channel().config().setAutoRead(true);
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
    if (event instanceof IdleStateEvent) {
      if (forwarding == 0) {
        logger.debug("closing idle DNS connection from {}", ctx.channel().remoteAddress());
        ctx.close();
      }
    } else if (event instanceof ChannelInputShutdownEvent) {
      // The client sent its last query and half-closed: answer what is queued (and forwarded), then close.
      inputEnded = true;
      if (forwarding == 0) {
        ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
      }
    } else {
      ctx.fireUserEventTriggered(event);
    }
  }

  @Override
  public EventLoop eventLoop() {
    return context().channel().eventLoop();
  }

  @Override
  public boolean tcp() {
    return true;
  }

  @Override
  public void forwarded() {
    forwarding++;
  }

  @Override
  public int forwardsPending() {
    return forwarding;
  }

  /** A forwarded reply: framed and flushed now; the last one after a half-close closes the connection. */
  @Override
  public void send(ByteBuf message) {
    forwarding--;
    ChannelHandlerContext c = context();
    c.write(c.alloc().ioBuffer(2).writeShort(message.readableBytes()), c.voidPromise());
    ChannelFuture written = c.writeAndFlush(message);
    if (inputEnded && forwarding == 0) {
      written.addListener(ChannelFutureListener.CLOSE);
    } else if (!c.channel().isWritable()) {
      c.channel().config().setAutoRead(false); // the client is not reading: stop reading it (see channelWritabilityChanged)
    }
  }

  private ChannelHandlerContext context() {
    if (ctx == null) {
      throw new IllegalStateException("not in a pipeline");
    }
    return ctx;
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    logger.debug("DNS connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
