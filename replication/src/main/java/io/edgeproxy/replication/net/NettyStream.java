package io.edgeproxy.replication.net;

import io.edgeproxy.replication.protocol.ReplicaRuntime;
import io.edgeproxy.replication.wire.Envelope;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.handler.codec.quic.DefaultQuicStreamFrame;
import io.netty.handler.codec.quic.QuicStreamChannel;
import java.util.Iterator;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One QUIC stream as the protocol sees it. {@link #send} never blocks the node's thread: a peer
 * that stops taking what it is sent (cut off by a partition, or far behind) gets its stream closed
 * once {@link #MAX_PENDING_BYTES} wait, instead of stalling every other peer behind it. Bulk
 * transfers ({@link #sendAll}) run on their own thread and wait for the peer. Pending bytes are
 * counted here: a QUIC stream channel is "unwritable" whenever QUIC cannot take more at this
 * instant (congestion window, flow control), which under load is most of the time.
 */
final class NettyStream implements ReplicaRuntime.Stream {
  private static final Logger logger = LoggerFactory.getLogger(NettyStream.class);
  /** Bytes queued for the peer beyond which a plain send closes the stream. */
  static final int MAX_PENDING_BYTES = 64 << 20;
  /** A bulk transfer waits for the peer while more than this is pending. */
  private static final int BULK_WINDOW_BYTES = 8 << 20;
  /** How long a bulk transfer waits for the peer to take one message before giving up. */
  private static final long BULK_WAIT_SECONDS = 30;

  private final Channel channel;
  private final String peer;
  private final Executor nodeThread;
  private volatile @Nullable Object attachment;
  private volatile boolean closing;
  private final java.util.concurrent.atomic.AtomicLong pending = new java.util.concurrent.atomic.AtomicLong();

  NettyStream(Channel channel, String peer, Executor nodeThread) {
    this.channel = channel;
    this.peer = peer;
    this.nodeThread = nodeThread;
  }

  @Override
  public String peer() {
    return peer;
  }

  @Override
  public void send(Envelope envelope) {
    if (closing || !channel.isActive()) {
      return;
    }
    if (pending.get() > MAX_PENDING_BYTES) {
      logger.warn("stream to {}: {} MiB wait for the peer to take them; closing it (the peer is cut off or far behind)", peer,
          MAX_PENDING_BYTES >> 20);
      channel.close();
      return;
    }
    write(envelope);
  }

  /** Writes {@code envelope}, counted as pending until QUIC took it (or the write failed). */
  private ChannelFuture write(Envelope envelope) {
    int size = envelope.getSerializedSize();
    pending.addAndGet(size);
    ChannelFuture written = channel.writeAndFlush(envelope);
    written.addListener(f -> pending.addAndGet(-size));
    return written;
  }

  @Override
  public void sendAll(Iterator<Envelope> messages, Runnable whenDone) {
    Thread.ofVirtual().name("replication-bulk-" + peer).start(() -> {
      try {
        while (!closing && channel.isActive() && messages.hasNext()) {
          ChannelFuture written = write(messages.next());
          if (pending.get() > BULK_WINDOW_BYTES && !written.awaitUninterruptibly(BULK_WAIT_SECONDS, TimeUnit.SECONDS)) {
            logger.warn("stream to {}: the peer took nothing for {} s; closing it", peer, BULK_WAIT_SECONDS);
            channel.close();
          }
        }
      } catch (RuntimeException e) {
        logger.warn("stream to {}: bulk transfer failed: {}", peer, e.toString());
        channel.close();
      } finally {
        try {
          nodeThread.execute(whenDone);
        } catch (java.util.concurrent.RejectedExecutionException e) {
          // closing: nothing left to tell
        }
      }
    });
  }

  /**
   * Ends the stream after everything sent so far: a FIN queued behind it (closing the channel at
   * once would drop what QUIC has not taken yet, which after a heal, in slow start, was most of a
   * session's rows). The channel closes when the peer ends its side too, or after
   * {@link #BULK_WAIT_SECONDS} in any case.
   */
  @Override
  public void close() {
    if (closing) {
      return;
    }
    closing = true;
    if (!(channel instanceof QuicStreamChannel quic) || !channel.isActive()) {
      channel.close();
      return;
    }
    quic.writeAndFlush(new DefaultQuicStreamFrame(Unpooled.EMPTY_BUFFER, true)).addListener(f -> {
      if (!f.isSuccess()) {
        channel.close();
      }
    });
    channel.eventLoop().schedule(() -> {
      channel.close();
    }, BULK_WAIT_SECONDS, TimeUnit.SECONDS);
  }

  @Override
  public boolean isOpen() {
    return !closing && channel.isActive();
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
