package io.edgeproxy.tunnel;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.socket.DuplexChannel;
import io.netty.util.AttributeKey;

/**
 * Half-closing a byte stream whatever carries it: a socket or a QUIC stream (both
 * {@link DuplexChannel}s), or an HTTP/2 stream of a tunnel's TCP fallback, whose
 * {@link H2StreamBytes} turns {@link #FIN} into END_STREAM. The proxy and the splices use these
 * instead of casting to {@code DuplexChannel}.
 */
public final class HalfClose {
  /** Written to a stream that is no {@code DuplexChannel}: its pipeline ends the stream's output. */
  static final Object FIN = new Object() {
    @Override
    public String toString() {
      return "FIN";
    }
  };
  static final AttributeKey<Boolean> OUTPUT_SHUT = AttributeKey.valueOf("edgeproxy.outputShut");

  private HalfClose() {}

  /** Sends the FIN after what is queued; the other direction stays open. */
  public static ChannelFuture shutdownOutput(Channel channel) {
    if (channel instanceof DuplexChannel duplex) {
      return duplex.shutdownOutput();
    }
    return channel.writeAndFlush(FIN);
  }

  public static boolean isOutputShutdown(Channel channel) {
    if (channel instanceof DuplexChannel duplex) {
      return duplex.isOutputShutdown();
    }
    return Boolean.TRUE.equals(channel.attr(OUTPUT_SHUT).get());
  }
}
