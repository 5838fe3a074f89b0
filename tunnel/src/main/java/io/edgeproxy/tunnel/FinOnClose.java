package io.edgeproxy.tunnel;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.channel.Channel;

/**
 * Closes a tunnel stream the way closing a TCP socket does: with a FIN after what is queued, not
 * by resetting it (which may drop the last bytes still in QUIC's send buffer or HTTP/2's queue). Relays close a
 * connection once both directions are done; through a tunnel that must not lose the tail.
 */
@ChannelHandler.Sharable
final class FinOnClose extends ChannelOutboundHandlerAdapter {
  static final FinOnClose INSTANCE = new FinOnClose();

  private FinOnClose() {}

  @Override
  public void close(ChannelHandlerContext ctx, ChannelPromise promise) {
    Channel stream = ctx.channel();
    if (stream.isActive() && !HalfClose.isOutputShutdown(stream)) {
      HalfClose.shutdownOutput(stream).addListener(f -> ctx.close(promise));
    } else {
      ctx.close(promise);
    }
  }
}
