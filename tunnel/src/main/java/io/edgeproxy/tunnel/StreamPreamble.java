package io.edgeproxy.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;

/**
 * The first byte of every client stream a POP opens through a tunnel: {@link #VERSION}. A QUIC
 * stream exists for the peer only once a frame is sent on it, and a client that waits for the app
 * to speak first (SMTP, SSH, a banner) sends nothing: the POP's preamble is what opens the stream
 * at the agent. The agent strips it before the app sees a byte, and closes a stream that starts
 * with anything else.
 */
final class StreamPreamble extends ChannelInboundHandlerAdapter {
  static final byte VERSION = 1;

  /** Sent by the POP on a new stream. */
  static void write(Channel stream) {
    stream.writeAndFlush(Unpooled.wrappedBuffer(new byte[] {VERSION}));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (!(msg instanceof ByteBuf in) || !in.isReadable()) {
      ReferenceCountUtil.release(msg);
      return;
    }
    byte first = in.readByte();
    ctx.pipeline().remove(this);
    if (first != VERSION) {
      in.release();
      ctx.close(); // not a stream of this protocol version
      return;
    }
    if (in.isReadable()) {
      ctx.fireChannelRead(in);
    } else {
      in.release();
      ctx.read(); // reads are paused until spliced: ask for the bytes after the preamble
    }
  }
}
