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
     * Sends {@code envelope}; never blocks. A stream whose peer has stopped taking what it is sent
     * (tens of MiB waiting: cut off, or far behind) is closed instead of buffering more; the
     * protocol recovers as from any closed stream.
     */
    void send(Envelope envelope);

    /**
     * Sends {@code messages} in order, paced to what the peer takes, without holding the node's
     * thread (a copy of routing.db is hundreds of MiB); then runs {@code whenDone} on the node's
     * thread, also when the stream closed or a message could not be made. The node sends nothing
     * else on the stream meanwhile.
     */
    void sendAll(java.util.Iterator<Envelope> messages, Runnable whenDone);

    void close();

    boolean isOpen();

    /** The protocol state attached to this stream by the node, or null. */
    @Nullable Object attachment();

    void attach(@Nullable Object attachment);
  }
}
