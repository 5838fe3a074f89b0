package io.edgeproxy.replication.protocol;

import io.edgeproxy.replication.wire.Envelope;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Everything the replication protocol needs from the world: time, timers, connections and
 * streams. Production runs it over Netty QUIC and a single database thread; the deterministic
 * simulator over virtual time and a simulated network. Every callback into {@link ReplicaNode} is
 * made on the node's one thread, so the protocol needs no locks.
 */
public interface ReplicaRuntime {
  /** This POP's wall clock, in milliseconds since the epoch (it may be skewed: that is the point). */
  long wallMillis();

  /** A monotonic clock for timeouts, in nanoseconds. */
  long nanoTime();

  /** Runs {@code task} after {@code delayMillis} on the node's thread. */
  Cancellable schedule(long delayMillis, Runnable task);

  /** Runs {@code task} on the node's thread after the work in progress (batches arrivals). */
  void execute(Runnable task);

  /**
   * Opens a connection to {@code peer}; {@code done} is called on the node's thread with the
   * connection, or with null after a failure (already logged or counted by the runtime).
   */
  void connect(PeerAddress peer, Consumer<@Nullable Connection> done);

  /** A pending timer. */
  interface Cancellable {
    void cancel();
  }

  /** A mutually authenticated connection to one peer, carrying many streams. */
  interface Connection {
    String peer();

    /** Opens a stream; its messages go to the node as {@link ReplicaNode#onMessage}. */
    Stream openStream();

    boolean isOpen();

    void close();
  }

  /** One ordered, reliable stream of envelopes. */
  interface Stream {
    /** The node id the peer authenticated as. */
    String peer();

    /**
     * Sends {@code envelope}. May block briefly while the stream cannot take more (large transfers
     * wait for the peer to keep up instead of buffering everything).
     */
    void send(Envelope envelope);

    void close();

    boolean isOpen();

    /** The protocol state attached to this stream by the node, or null. */
    @Nullable Object attachment();

    void attach(@Nullable Object attachment);
  }
}
