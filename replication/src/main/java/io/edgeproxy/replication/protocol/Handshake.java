package io.edgeproxy.replication.protocol;

import io.edgeproxy.replication.wire.Hello;
import org.jspecify.annotations.Nullable;

/**
 * The Hello check at the start of every stream: the peer's cluster, its identity (the Hello must
 * name the node its certificate names) and the protocol version both speak. Pure.
 */
final class Handshake {
  /** The protocol versions this build speaks. */
  static final int MIN_PROTOCOL = 2;
  static final int MAX_PROTOCOL = 2;

  private Handshake() {}

  /** The outcome of a peer's Hello. */
  sealed interface Verdict {
    record Accepted(int protocol) implements Verdict {}

    record Refused(String reason) implements Verdict {}
  }

  /**
   * @param envelopeProtocol the version the Hello's envelope was written in (version 1 peers name
   *     no range, only this)
   */
  static Verdict check(Hello hello, int envelopeProtocol, String cluster, String authenticatedPeer) {
    if (!hello.getCluster().equals(cluster)) {
      return new Verdict.Refused("cluster '" + hello.getCluster() + "' (expected: '" + cluster + "')");
    }
    if (!hello.getNodeId().equals(authenticatedPeer)) {
      return new Verdict.Refused("Hello from node '" + hello.getNodeId() + "' over a connection authenticated as '"
          + authenticatedPeer + "'");
    }
    int theirMin = hello.getMaxProtocol() == 0 ? envelopeProtocol : hello.getMinProtocol();
    int theirMax = hello.getMaxProtocol() == 0 ? envelopeProtocol : hello.getMaxProtocol();
    int agreed = Math.min(MAX_PROTOCOL, theirMax);
    if (agreed < Math.max(MIN_PROTOCOL, theirMin)) {
      return new Verdict.Refused("node '" + authenticatedPeer + "' speaks replication protocol " + range(theirMin, theirMax)
          + ", this POP speaks " + range(MIN_PROTOCOL, MAX_PROTOCOL) + " (expected: a version in common; upgrade the older POP)");
    }
    return new Verdict.Accepted(agreed);
  }

  private static String range(int min, int max) {
    return min == max ? String.valueOf(min) : min + "-" + max;
  }

  static @Nullable String refusal(Verdict verdict) {
    return verdict instanceof Verdict.Refused r ? r.reason() : null;
  }
}
