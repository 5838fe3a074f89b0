package io.edgeproxy.core.change;

import static java.util.Objects.requireNonNull;

/**
 * The version of one row change: a hybrid logical clock reading plus the id of the node that made
 * the change. Totally ordered (clock first, node id to break ties), so every POP picks the same
 * winner between two changes of a row whatever order they arrive in.
 *
 * @param hlc {@link HybridClock} reading: milliseconds since the epoch in the high 48 bits, a
 *     logical counter in the low 16
 * @param node id of the node that made the change
 */
public record Version(long hlc, String node) implements Comparable<Version> {
  public Version {
    requireNonNull(node, "node");
  }

  @Override
  public int compareTo(Version other) {
    int byClock = Long.compareUnsigned(hlc, other.hlc);
    return byClock != 0 ? byClock : node.compareTo(other.node);
  }

  public boolean isNewerThan(Version other) {
    return compareTo(other) > 0;
  }

  /** Wall-clock milliseconds part of the clock reading. */
  public long millis() {
    return HybridClock.millisOf(hlc);
  }
}
