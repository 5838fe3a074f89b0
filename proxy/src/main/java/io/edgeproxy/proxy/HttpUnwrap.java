package io.edgeproxy.proxy;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpObject;
import io.netty.util.ReferenceCountUtil;

/**
 * Sits before the {@link RelayHandler} of a connection that left HTTP (a 101 upgrade): the bytes an
 * HTTP decoder had already wrapped as content, or handed over when it was removed, go on as plain
 * bytes; the decoder's other leftovers (an empty end of message) are dropped.
 */
@ChannelHandler.Sharable
final class HttpUnwrap extends ChannelInboundHandlerAdapter {
  static final HttpUnwrap INSTANCE = new HttpUnwrap();

  private HttpUnwrap() {}

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof HttpContent content && content.content().isReadable()) {
      ctx.fireChannelRead(content.content());
    } else if (msg instanceof HttpObject) {
      ReferenceCountUtil.release(msg);
    } else {
      ctx.fireChannelRead(msg);
    }
  }
}
