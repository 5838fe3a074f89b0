package io.edgeproxy.dns;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetSocketAddress;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Answers length-framed queries on one TCP connection (RFC 7766), in order, pipelining allowed.
 * A client that does not read its responses stops being read from (reads resume when the
 * outbound buffer drains), so one slow client holds at most one read and the write buffer's high
 * water mark. Runs on the connection's event loop only.
 */
final class TcpDnsHandler extends ChannelInboundHandlerAdapter {
  private static final Logger logger = LoggerFactory.getLogger(TcpDnsHandler.class);

  private final DnsResponder responder;

  TcpDnsHandler(DnsResponder responder) {
    this.responder = responder;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    ByteBuf frame = (ByteBuf) msg;
    ByteBuf out = ctx.alloc().ioBuffer(512);
    boolean send = false;
    try {
      out.writeShort(0); // the length, set below
      InetSocketAddress remote = (InetSocketAddress) ctx.channel().remoteAddress();
      send = responder.respond(frame, remote.getAddress(), true, out);
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
      logger.debug("closing idle DNS connection from {}", ctx.channel().remoteAddress());
      ctx.close();
    } else if (event instanceof ChannelInputShutdownEvent) {
      // The client sent its last query and half-closed: answer what is queued, then close.
      ctx.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.fireUserEventTriggered(event);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    logger.debug("DNS connection from {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
