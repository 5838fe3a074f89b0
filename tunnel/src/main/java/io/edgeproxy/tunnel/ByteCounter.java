package io.edgeproxy.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import java.util.concurrent.atomic.AtomicLong;

/** Counts the bytes a stream reads and writes into its tunnel's totals. */
final class ByteCounter extends ChannelDuplexHandler {
  private final AtomicLong read;
  private final AtomicLong written;

  ByteCounter(AtomicLong read, AtomicLong written) {
    this.read = read;
    this.written = written;
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof ByteBuf buf) {
      read.addAndGet(buf.readableBytes());
    }
    ctx.fireChannelRead(msg);
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg instanceof ByteBuf buf) {
      written.addAndGet(buf.readableBytes());
    }
    ctx.write(msg, promise);
  }
}
