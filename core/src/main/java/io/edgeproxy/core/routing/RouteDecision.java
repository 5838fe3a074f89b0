package io.edgeproxy.core.routing;

/** What {@link Router#route} decided for one connection attempt. */
public sealed interface RouteDecision {

  /**
   * A backend with a reserved slot. The caller connects, then calls {@link Router#connected} or
   * {@link Router#connectFailed}; the lease is released when the connection ends.
   *
   * @param tier geographic tier (see {@link Tier})
   * @param score the selection score; for a sticky decision, the score it has now
   * @param sticky true when the client's affinity binding chose it
   * @param snapshotVersion version of the routing snapshot the decision was made on
   */
  record Reserved(Candidate candidate, int tier, double score, boolean sticky, long snapshotVersion, Lease lease)
      implements RouteDecision {
    public Backend backend() {
      return candidate.backend();
    }

    /** One line for logs and PROXY protocol TLVs: which backend and why. */
    public String explain() {
      return String.format(
          java.util.Locale.ROOT,
          "backend=%s tier=%d (%s) score=%.3f%s snapshot=%d",
          candidate.id(), tier, Tier.describe(tier), score, sticky ? " sticky" : "", snapshotVersion);
    }
  }

  /** No backend can take the client; {@code reason} is the selection outcome. */
  record Refused(Selection reason) implements RouteDecision {}
}
