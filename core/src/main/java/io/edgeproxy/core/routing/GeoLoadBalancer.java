package io.edgeproxy.core.routing;

import io.edgeproxy.core.geo.ClientLocation;
import java.util.Collection;
import org.jspecify.annotations.Nullable;

/**
 * Picks the backend of an app for one client. Pure: reads the snapshot and the backends' live
 * loads, changes nothing, does no I/O.
 *
 * <p>Score, as in the original: {@code tier * 100 + (active / soft_limit) / weight}, lowest wins,
 * over backends that are healthy, not drained (weight 0), not full (active at the hard limit, or at this POP's share of it), not
 * down on this POP (active health check failing, or ejected by passive health) and not already tried for this client. Unlike the original:
 *
 * <ul>
 *   <li>only the app's own backends are considered;
 *   <li>tiers are visited in order through per-country and per-region candidate sets, stopping as
 *       soon as no later tier can beat the best score found, so the cost does not grow with the
 *       number of backends elsewhere;
 *   <li>equal scores (typically idle backends) are broken by weighted rendezvous hashing of the
 *       client, so idle backends share clients in proportion to weight and the same client gets
 *       the same backend on every POP;
 *   <li>a candidate set larger than {@value #SCAN_LIMIT} is not scanned: the better of
 *       {@value #SAMPLES} weighted samples wins (power of two choices, as HAProxy's
 *       {@code random(2)} and Envoy's least-request do), falling back to a scan only when every
 *       sample is unavailable.
 * </ul>
 *
 * <p>The same snapshot, loads, client, tie-break and exclusions always give the same answer. A
 * full backend that would have won is named in the result ({@link Selection#passedOver}); the
 * caller counts it as demand.
 */
public final class GeoLoadBalancer {
  static final int SCAN_LIMIT = 32;
  static final int SAMPLES = 2;
  private static final int MAX_DRAWS = 8;
  private static final double TIER_SPAN = 100.0;

  /**
   * Selects a backend.
   *
   * @param tieBreak a hash of the client (see {@link Hashing#ofAddress}); equal scores are broken by it
   * @param excludedIds backend ids already tried for this client (usually empty)
   * @param nowNanos {@link System#nanoTime()} now, for passive-health ejections
   */
  public Selection pick(
      AppRoutes routes,
      ClientLocation client,
      String popRegion,
      long tieBreak,
      Collection<String> excludedIds,
      long nowNanos) {
    if (routes.eligibleCount() == 0) {
      return new Selection.NoHealthyBackend(routes.app());
    }
    Search search = new Search(client, popRegion, tieBreak, excludedIds, nowNanos);
    if (client.country() != null && search.visit(routes.inCountry(client.country()), Tier.SAME_COUNTRY)) {
      return search.result();
    }
    if (client.region() != null && search.visit(routes.inRegion(client.region()), Tier.SAME_REGION)) {
      return search.result();
    }
    if (search.visit(routes.inRegion(popRegion), Tier.POP_REGION)) {
      return search.result();
    }
    search.visit(routes.eligible(), Tier.ELSEWHERE);
    return search.best == null
        ? new Selection.AllAtCapacity(routes.app(), routes.eligibleCount(), search.fullBest)
        : search.result();
  }

  /** One selection's running best. Not thread-safe; lives for one call. */
  private static final class Search {
    private final ClientLocation client;
    private final String popRegion;
    private final long tieBreak;
    private final Collection<String> excluded;
    private final long now;
    @Nullable Candidate best;
    int bestTier;
    double bestScore = Double.POSITIVE_INFINITY;
    double bestRendezvous = Double.NaN;
    /** The best-scored backend passed over for being full here, and its score. */
    @Nullable Candidate fullBest;
    double fullBestScore = Double.POSITIVE_INFINITY;

    Search(ClientLocation client, String popRegion, long tieBreak, Collection<String> excluded, long now) {
      this.client = client;
      this.popRegion = popRegion;
      this.tieBreak = tieBreak;
      this.excluded = excluded;
      this.now = now;
    }

    /**
     * Considers one set of tier {@code tier}. Returns true when the search can stop: the best
     * score so far is below anything a later tier can offer.
     */
    boolean visit(CandidateSet set, int tier) {
      double floor = (tier + 1) * TIER_SPAN;
      if (set.size() <= SCAN_LIMIT || !sample(set, tier) || bestScore >= floor) {
        // Small set, every sample unavailable, or the samples would hand the client to a later
        // tier: look at the whole set before letting a worse tier win.
        scan(set);
      }
      return best != null && bestScore < floor;
    }

    private void scan(CandidateSet set) {
      for (int i = 0; i < set.size(); i++) {
        Candidate c = set.get(i);
        if (available(c)) {
          offer(c, true);
        }
      }
    }

    /** Weighted draws until {@value #SAMPLES} available ones are seen; false if none was. */
    private boolean sample(CandidateSet set, int tier) {
      int seen = 0;
      long state = Hashing.mix64(tieBreak + tier);
      for (int draw = 0; draw < MAX_DRAWS && seen < SAMPLES; draw++) {
        state += 0x9E3779B97F4A7C15L;
        Candidate c = set.sample(Hashing.mix64(state));
        if (available(c)) {
          seen++;
          offer(c, false);
        }
      }
      return seen > 0;
    }

    private boolean available(Candidate c) {
      Backend b = c.backend();
      if (c.load().isFull(b.hardLimit())) {
        double score = Tier.of(b, client, popRegion) * TIER_SPAN + c.loadScore();
        if (score < fullBestScore && !c.load().isDownHere(now) && (excluded.isEmpty() || !excluded.contains(b.id()))) {
          fullBest = c;
          fullBestScore = score;
        }
        return false;
      }
      return !c.load().isDownHere(now) && (excluded.isEmpty() || !excluded.contains(b.id()));
    }

    private void offer(Candidate c, boolean rendezvousTies) {
      int tier = Tier.of(c.backend(), client, popRegion);
      double score = tier * TIER_SPAN + c.loadScore();
      if (score < bestScore) {
        take(c, tier, score, Double.NaN);
      } else if (score == bestScore && rendezvousTies && c != best) {
        if (Double.isNaN(bestRendezvous)) {
          bestRendezvous = rendezvous(best);
        }
        double r = rendezvous(c);
        if (r < bestRendezvous || (r == bestRendezvous && c.id().compareTo(best.id()) < 0)) {
          take(c, tier, score, r);
        }
      }
    }

    private void take(Candidate c, int tier, double score, double rendezvous) {
      best = c;
      bestTier = tier;
      bestScore = score;
      bestRendezvous = rendezvous;
    }

    /** Weighted rendezvous key: -ln(u) / weight; the lowest wins with probability w / sum(w). */
    private double rendezvous(Candidate c) {
      double u = Hashing.unitInterval(Hashing.mix64(tieBreak ^ c.idHash()));
      return -Math.log(u) / c.backend().weight();
    }

    Selection result() {
      return new Selection.Picked(best, bestTier, bestScore, fullBestScore < bestScore ? fullBest : null);
    }
  }
}
