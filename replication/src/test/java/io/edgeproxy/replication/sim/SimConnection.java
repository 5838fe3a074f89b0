package io.edgeproxy.replication.sim;

import io.edgeproxy.replication.protocol.ReplicaRuntime;
import io.edgeproxy.replication.wire.Envelope;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * A simulated connection between two POPs, with both of its ends: streams opened on one end
 * appear on the other with their first message, each direction delivered in order.
 */
final class SimConnection {
  private final SimNetwork network;
  private final SimPop a;
  private final SimPop b;
  private final int incarnationA;
  private final int incarnationB;
  private final List<Pair> streams = new ArrayList<>();
  private boolean open = true;

  SimConnection(SimNetwork network, SimPop a, SimPop b) {
    this.network = network;
    this.a = a;
    this.b = b;
    this.incarnationA = a.incarnation();
    this.incarnationB = b.incarnation();
    network.opened(this);
  }

  boolean involves(String node) {
    return a.name().equals(node) || b.name().equals(node);
  }

  /** The end {@code self} holds. */
  ReplicaRuntime.Connection end(SimPop self) {
    SimPop other = self == a ? b : a;
    return new ReplicaRuntime.Connection() {
      @Override
      public String peer() {
        return other.name();
      }

      @Override
      public ReplicaRuntime.Stream openStream() {
        if (!open) {
          throw new IllegalStateException("connection to " + other.name() + " is closed");
        }
        Pair pair = new Pair(self, other);
        streams.add(pair);
        return pair.near;
      }

      @Override
      public boolean isOpen() {
        return open;
      }

      @Override
      public void close() {
        kill(0);
      }
    };
  }

  private boolean alive(SimPop pop) {
    return pop.incarnation() == (pop == a ? incarnationA : incarnationB) && pop.up();
  }

  /** Ends the connection: every stream closes on each live end (the far end after {@code noticeAfter}). */
  void kill(long noticeAfter) {
    if (!open) {
      return;
    }
    open = false;
    network.closed(this);
    for (Pair pair : List.copyOf(streams)) {
      pair.near.closeLocally();
      network.time().after(noticeAfter, pair.far::closeLocally);
    }
  }

  /** Two ends of one stream: {@code near} on the opener, {@code far} on the other POP. */
  private final class Pair {
    final End near;
    final End far;

    Pair(SimPop opener, SimPop other) {
      near = new End(opener, other, false);
      far = new End(other, opener, true);
      near.other = far;
      far.other = near;
    }
  }

  /** One end of a stream, held by {@code owner}. */
  private final class End implements ReplicaRuntime.Stream {
    final SimPop owner;
    final SimPop remote;
    final boolean accepted;
    @Nullable End other;
    boolean announced;
    boolean closed;
    long lastArrival;
    /** What reached this end's host, in order, not yet handed over (a cut link holds it back: QUIC retransmits). */
    final java.util.ArrayDeque<Envelope> inbox = new java.util.ArrayDeque<>();
    boolean retrying;
    boolean finReceived;
    @Nullable Object attachment;

    End(SimPop owner, SimPop remote, boolean accepted) {
      this.owner = owner;
      this.remote = remote;
      this.accepted = accepted;
    }

    @Override
    public String peer() {
      return remote.name();
    }

    @Override
    public void send(Envelope envelope) {
      if (closed || !open || other == null) {
        return;
      }
      End to = other;
      long at = network.arrival(owner.name(), remote.name(), to.lastArrival);
      if (at < 0) {
        kill(SimNetwork.IDLE_TIMEOUT_MILLIS);
        return;
      }
      to.lastArrival = at;
      network.time().at(at, () -> to.arrive(envelope));
      if (network.duplicates(envelope)) {
        long again = at + 1;
        to.lastArrival = again;
        network.time().at(again, () -> to.arrive(envelope));
      }
    }

    @Override
    public void sendAll(java.util.Iterator<Envelope> messages, Runnable whenDone) {
      try {
        while (messages.hasNext()) {
          send(messages.next());
        }
      } catch (RuntimeException e) {
        close();
      }
      whenDone.run();
    }

    /** A message reaches this end; {@code null}: the far end's FIN, which never overtakes what it sent. */
    void arrive(@Nullable Envelope envelope) {
      if (envelope == null) {
        finReceived = true;
      } else {
        inbox.add(envelope);
      }
      drain();
    }

    /**
     * Hands over what arrived, in order, while the link is up. Across a cut nothing gets through
     * but the connection lives until the idle timeout (or membership) ends it: QUIC retransmits
     * what was held back once the link heals, an RTO later, as it does for loss. Messages are never
     * lost from a live connection, only with it.
     */
    private void drain() {
      while (!closed && alive(owner)) {
        if (!network.reachable(owner.name(), remote.name())) {
          if (!retrying) {
            retrying = true;
            network.time().after(200 + 2 * network.latency(owner.name(), remote.name()), () -> {
              retrying = false;
              drain();
            });
          }
          return;
        }
        Envelope next = inbox.poll();
        if (next == null) {
          if (finReceived) {
            closeLocally();
          }
          return;
        }
        deliver(next);
      }
      inbox.clear();
    }

    private void deliver(Envelope envelope) {
      if (accepted && !announced) {
        announced = true;
        owner.node().onInboundStream(this);
      }
      owner.node().onMessage(this, envelope);
    }

    /** This end learns the stream is gone. */
    void closeLocally() {
      if (closed) {
        return;
      }
      closed = true;
      if (alive(owner) && (!accepted || announced)) {
        owner.node().onClosed(this);
      }
    }

    @Override
    public void close() {
      closeLocally();
      End far = other;
      if (far != null) { // after what was sent before it, as QUIC's FIN
        long at = Math.max(network.time().now() + network.latency(owner.name(), remote.name()), far.lastArrival) + 1;
        far.lastArrival = at;
        network.time().at(at, () -> far.arrive(null));
      }
    }

    @Override
    public boolean isOpen() {
      return !closed && open;
    }

    @Override
    public @Nullable Object attachment() {
      return attachment;
    }

    @Override
    public void attach(@Nullable Object value) {
      attachment = value;
    }
  }
}
