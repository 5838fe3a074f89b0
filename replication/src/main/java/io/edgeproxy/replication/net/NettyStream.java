package io.edgeproxy.replication.net;

import io.edgeproxy.replication.protocol.ReplicaRuntime;
import io.edgeproxy.replication.wire.Envelope;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/** One QUIC stream as the protocol sees it. {@link #send} waits while the stream cannot take more. */
final class NettyStream implements ReplicaRuntime.Stream {
  private static final long SEND_WAIT_SECONDS = 30;

  private final Channel channel;
  private final String peer;
  private volatile @Nullable Object attachment;

  NettyStream(Channel channel, String peer) {
    this.channel = channel;
    this.peer = peer;
  }

  @Override
  public String peer() {
    return peer;
  }

  @Override
  public void send(Envelope envelope) {
    if (!channel.isActive()) {
      return;
    }
    ChannelFuture written = channel.writeAndFlush(envelope);
    // Large transfers (a copy, thousands of rows) wait for the peer to keep up instead of buffering it all.
    if (!channel.isWritable() && !channel.eventLoop().inEventLoop()) {
      written.awaitUninterruptibly(SEND_WAIT_SECONDS, TimeUnit.SECONDS);
    }
  }

  @Override
  public void close() {
    channel.close();
  }

  @Override
  public boolean isOpen() {
    return channel.isActive();
  }

  @Override
  public @Nullable Object attachment() {
    return attachment;
  }

  @Override
  public void attach(@Nullable Object attachment) {
    this.attachment = attachment;
  }
}
