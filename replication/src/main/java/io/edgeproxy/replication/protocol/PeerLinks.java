package io.edgeproxy.replication.protocol;

import io.edgeproxy.core.change.ChangeSet;
import io.edgeproxy.replication.wire.Hello;
import java.net.InetSocketAddress;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * This POP's peers and its links to them: a session per peer membership or a Hello made known, a
 * connection opened when a peer comes up (retried 100 ms doubling to 2 s, so a healed link is used
 * again within seconds, before membership has even noticed), and a push stream on it. The node's
 * thread only.
 */
final class PeerLinks {
  private final ReplicaNode node;
  private final ReplicaRuntime runtime;
  private final Map<String, PeerSession> sessions = new LinkedHashMap<>();
  private boolean closed;

  PeerLinks(ReplicaNode node, ReplicaRuntime runtime) {
    this.node = node;
    this.runtime = runtime;
  }

  /** Membership says {@code peer} is up: connect (if not already). */
  PeerSession up(PeerAddress peer) {
    PeerSession session = sessions.computeIfAbsent(peer.nodeId(), id -> new PeerSession(peer));
    session.address = peer;
    session.listed = true;
    connect(session);
    return session;
  }

  /** Membership says {@code nodeId} is down: its connection goes; attempts to reach it go on, at the slow pace. */
  void down(String nodeId) {
    PeerSession session = sessions.get(nodeId);
    if (session == null) {
      return;
    }
    session.listed = false;
    if (session.connection != null) {
      session.connection.close();
      session.connection = null;
    }
    session.push = null;
    session.retryMillis = PeerSession.MAX_RETRY_MILLIS;
  }

  /** The session of a peer that introduced itself (it may have connected before membership told of it). */
  PeerSession helloFrom(String peer, Hello hello) {
    return sessions.computeIfAbsent(peer, id -> new PeerSession(new PeerAddress(id, hello.getRegion(),
        new InetSocketAddress("0.0.0.0", 0))));
  }

  private void connect(PeerSession session) {
    if (closed || session.connecting || session.connected()) {
      return;
    }
    session.connecting = true;
    runtime.connect(session.address, connection -> {
      session.connecting = false;
      if (closed) {
        if (connection != null) {
          connection.close();
        }
        return;
      }
      if (connection == null) {
        long wait = session.retryMillis;
        session.retryMillis = Math.min(PeerSession.MAX_RETRY_MILLIS, wait * 2);
        runtime.schedule(wait, () -> connect(session));
        return;
      }
      session.retryMillis = PeerSession.FIRST_RETRY_MILLIS;
      session.connection = connection;
      ReplicaRuntime.Stream stream = connection.openStream();
      PushOut push = new PushOut(node, stream);
      stream.attach(push);
      session.push = push;
      push.start();
    });
  }

  /** {@code push}'s stream closed: drop the connection and connect again. */
  void pushClosed(PushOut push) {
    PeerSession session = sessions.get(push.peer());
    if (session == null || session.push != push) {
      return;
    }
    session.push = null;
    if (session.connection != null) {
      session.connection.close();
      session.connection = null;
    }
    if (!closed) {
      runtime.schedule(session.retryMillis, () -> connect(session));
    }
  }

  /** A Hello and a clock ping on every push stream; peers without a connection are tried again. */
  void heartbeat() {
    for (PeerSession session : sessions.values()) {
      if (session.push != null) {
        session.push.heartbeat();
      } else if (!session.connecting && !session.connected()) {
        connect(session);
      }
    }
  }

  /** Ships {@code set} to every peer pushes may flow to. */
  void push(ChangeSet set) {
    List<io.edgeproxy.replication.wire.ChangeSet> pieces = null;
    for (PeerSession session : sessions.values()) {
      if (session.pushable()) {
        if (pieces == null) {
          pieces = PushOut.pieces(set); // encoded once for all peers
        }
        session.push.push(pieces);
      }
    }
  }

  @Nullable PeerSession get(String peer) {
    return sessions.get(peer);
  }

  Collection<PeerSession> all() {
    return sessions.values();
  }

  /**
   * Judges every peer again on its last Hello against {@code us}, whose horizons moved (a
   * compaction): a peer that has not seen the deletes just forgotten must not be merged with until
   * its next Hello (an anti-entropy session in that window brought a deleted row back: the
   * simulator, seed 279).
   */
  void judgeAgain(Rejoin rejoin, Staleness.Side us) {
    for (PeerSession session : sessions.values()) {
      if (session.hello != null && !session.hello.getRejoining()) {
        session.verdict = rejoin.judge(us, session.side(), session.verdict);
      }
    }
  }

  boolean isEmpty() {
    return sessions.isEmpty();
  }

  void close() {
    closed = true;
    for (PeerSession session : sessions.values()) {
      if (session.connection != null) {
        session.connection.close();
      }
    }
  }
}
