package io.edgeproxy.replication.protocol;

import io.edgeproxy.replication.wire.ClockPong;
import io.edgeproxy.replication.wire.Hello;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What this POP knows of one peer and its link to it: the connection and push stream, what its
 * last Hello said (what it holds, what it compacted, when it last synced), whether one of the two
 * must rejoin, its clock offset, and the last anti-entropy session with it. The node's thread only.
 */
final class PeerSession {
  /** First and longest wait between connection attempts (reached within a few seconds after a heal). */
  static final long FIRST_RETRY_MILLIS = 100;
  static final long MAX_RETRY_MILLIS = 2_000;

  PeerAddress address;
  /** Membership lists it as up; after it goes down, connecting is still tried (a heal shows first here). */
  boolean listed;
  ReplicaRuntime.@Nullable Connection connection;
  boolean connecting;
  long retryMillis = FIRST_RETRY_MILLIS;
  @Nullable PushOut push;
  @Nullable Hello hello;
  Map<String, Long> holds = Map.of();
  Map<String, Long> horizons = Map.of();
  Staleness.Verdict verdict = Staleness.Verdict.MERGE;
  final ClockOffsets offsets = new ClockOffsets();
  boolean skewed;
  long lastSyncAtMillis;
  long lastSyncRows;
  /** What the peer holds of this POP's transactions, as its latest acknowledgement or Hello said. */
  long holdsOfSelf;

  PeerSession(PeerAddress address) {
    this.address = address;
  }

  String node() {
    return address.nodeId();
  }

  boolean connected() {
    return connection != null && connection.isOpen();
  }

  /** Pushes may flow to it: connected, handshaken, and neither side must rejoin. */
  boolean pushable() {
    return push != null && push.ready() && verdict == Staleness.Verdict.MERGE;
  }

  /** The peer as its last Hello describes it. */
  Staleness.Side side() {
    return new Staleness.Side(node(), holds, horizons, lastSyncOf());
  }

  long lastSyncOf() {
    return hello == null ? 0 : hello.getLastSyncMs();
  }

  boolean rejoining() {
    return hello != null && hello.getRejoining();
  }

  /** What its Hello (the first on a stream, or a heartbeat) says it holds and compacted. */
  void helloed(Hello value, String self) {
    hello = value;
    holds = WireCodec.clocks(value.getHoldsList());
    horizons = WireCodec.clocks(value.getHorizonsList());
    holdsOfSelf(holds.getOrDefault(self, 0L));
  }

  void holdsOfSelf(long value) {
    holdsOfSelf = Math.max(holdsOfSelf, value);
  }

  /** How its clock stands after a pong, against the skew bound. */
  enum Skew {
    WITHIN,
    BEYOND,
    BACK_WITHIN
  }

  /** Records a clock exchange (RFC 5905 offsets, see {@link ClockOffsets}) and judges it against {@code maxSkewMs}. */
  Skew clockPong(ClockPong pong, long nowMs, long maxSkewMs) {
    offsets.record(pong.getPingSentMs(), pong.getReceivedMs(), pong.getSentMs(), nowMs);
    ClockOffsets.Sample best = offsets.best();
    boolean was = skewed;
    skewed = best != null && best.beyond(maxSkewMs);
    return skewed ? Skew.BEYOND : was ? Skew.BACK_WITHIN : Skew.WITHIN;
  }
}
