package io.edgeproxy.replication.sim;

import io.edgeproxy.replication.wire.Envelope;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

/**
 * The simulated network between POPs: per pair a base one-way latency (geography), and faults
 * the scenario turns on and off: partitions (a cut link kills its connections after QUIC's idle
 * timeout, and refuses new ones; what crosses it before then waits and is retransmitted if the link
 * heals first, see {@link SimConnection}), loss (QUIC retransmits: a lost message arrives an RTO later; now
 * and then a connection dies), duplication of idempotent messages, and reordering across streams
 * (each stream keeps its own order, as QUIC's do).
 */
final class SimNetwork {
  /** QUIC's idle timeout as simulated: a connection across a cut dies after this. */
  static final long IDLE_TIMEOUT_MILLIS = 3_000;
  static final long CONNECT_TIMEOUT_MILLIS = 1_000;

  private final EventQueue time;
  private final Random random;
  private final Map<String, Long> latency = new HashMap<>();
  private final Set<String> cut = new HashSet<>();
  private final Map<String, Double> loss = new HashMap<>();
  private final List<SimConnection> connections = new ArrayList<>();
  double duplicate;
  long messages;
  long duplicated;

  SimNetwork(EventQueue time, Random random) {
    this.time = time;
    this.random = random;
  }

  private static String pair(String a, String b) {
    return a.compareTo(b) < 0 ? a + "|" + b : b + "|" + a;
  }

  void setLatency(String a, String b, long millis) {
    latency.put(pair(a, b), millis);
  }

  long latency(String a, String b) {
    return latency.getOrDefault(pair(a, b), 5L);
  }

  boolean reachable(String a, String b) {
    return !cut.contains(pair(a, b));
  }

  void cut(String a, String b) {
    if (cut.add(pair(a, b))) {
      time.after(IDLE_TIMEOUT_MILLIS, () -> {
        if (!reachable(a, b)) {
          killBetween(a, b);
        }
      });
    }
  }

  void heal(String a, String b) {
    cut.remove(pair(a, b));
  }

  void healAll() {
    cut.clear();
  }

  void setLoss(String a, String b, double p) {
    loss.put(pair(a, b), p);
  }

  void clearLoss() {
    loss.clear();
  }

  /** Kills every connection of {@code node} (it crashed), the far ends noticing after the idle timeout. */
  void killAll(String node) {
    for (SimConnection c : List.copyOf(connections)) {
      if (c.involves(node)) {
        c.kill(IDLE_TIMEOUT_MILLIS);
      }
    }
  }

  private void killBetween(String a, String b) {
    for (SimConnection c : List.copyOf(connections)) {
      if (c.involves(a) && c.involves(b)) {
        c.kill(0);
      }
    }
  }

  void opened(SimConnection connection) {
    connections.add(connection);
  }

  void closed(SimConnection connection) {
    connections.remove(connection);
  }

  /**
   * When a message sent now from {@code from} to {@code to} on a stream whose last message arrives
   * at {@code lastArrival} arrives, or -1 when it is lost with its connection.
   */
  long arrival(String from, String to, long lastArrival) {
    messages++;
    long at = time.now() + latency(from, to) + random.nextInt(1 + (int) (latency(from, to) / 5));
    double p = loss.getOrDefault(pair(from, to), 0.0);
    while (p > 0 && random.nextDouble() < p) {
      at += 200 + 2 * latency(from, to); // retransmitted after an RTO
      if (random.nextDouble() < p * p * 0.05) {
        return -1; // too many losses in a row: the connection dies
      }
    }
    return Math.max(at, lastArrival);
  }

  boolean duplicates(Envelope envelope) {
    boolean idempotent = switch (envelope.getBodyCase()) {
      case CHANGES, ROWS, HELLO, PUSH_ACK, CLOCK_PING -> true;
      default -> false;
    };
    boolean dup = idempotent && duplicate > 0 && random.nextDouble() < duplicate;
    if (dup) {
      duplicated++;
    }
    return dup;
  }

  EventQueue time() {
    return time;
  }

}
