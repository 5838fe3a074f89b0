package io.edgeproxy.dns;

import io.edgeproxy.core.geo.ClientLocation;
import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.routing.Candidate;
import io.edgeproxy.core.routing.Hashing;
import io.edgeproxy.core.routing.Tier;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.function.Predicate;

/**
 * Orders an app's backends for one client the way the proxy ranks them: by the proxy's tiers
 * (client's country, client's region, this POP's region, elsewhere), then, within a tier, by
 * weighted rendezvous hashing of the client, which is the proxy's tie-break for idle backends. So
 * a client's first address is the backend the proxy would pick for it when nothing is loaded,
 * clients spread over a tier in proportion to weight, and every POP gives a client the same order.
 *
 * <p>Live load (the proxy's own connection counts on this POP) is deliberately not part of the
 * order: DNS clients connect to backends directly, and an answer is cached for its TTL.
 */
final class NearestOrder {
  private NearestOrder() {}

  /** A backend, its tier for the client, and its sort key (tier first, then rendezvous). */
  record Ranked(Candidate candidate, int tier, double key) {
    Backend backend() {
      return candidate.backend();
    }
  }

  private static final Comparator<Ranked> NEAREST_FIRST =
      Comparator.comparingDouble(Ranked::key).thenComparing(r -> r.candidate().id());

  /** Those of {@code candidates} that pass {@code usable}, nearest first, at most {@code limit}. */
  static List<Ranked> order(List<Candidate> candidates, Predicate<Candidate> usable, ClientLocation client,
      String popRegion, long clientHash, int limit) {
    List<Ranked> ranked = new ArrayList<>(candidates.size());
    for (Candidate c : candidates) {
      if (usable.test(c)) {
        int tier = Tier.of(c.backend(), client, popRegion);
        ranked.add(new Ranked(c, tier, tier * 1e6 + rendezvous(c, clientHash)));
      }
    }
    ranked.sort(NEAREST_FIRST);
    return ranked.size() > limit ? ranked.subList(0, limit) : ranked;
  }

  /** Weighted rendezvous key -ln(u) / weight, below 1e6 for any weight >= 1: the lowest comes first. */
  private static double rendezvous(Candidate c, long clientHash) {
    long h = Hashing.mix64(clientHash ^ Hashing.mix64(c.id().hashCode() * 0x9E3779B97F4A7C15L + c.id().length()));
    double u = ((h >>> 11) + 1) * 0x1.0p-53;
    return Math.min(-Math.log(u) / Math.max(1, c.backend().weight()), 999_999.0);
  }
}
