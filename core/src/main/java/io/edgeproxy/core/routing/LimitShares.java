package io.edgeproxy.core.routing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;
import java.util.TreeMap;

/**
 * How one backend's hard limit is shared out among the POPs, computed by every POP from the same
 * load reports, so that every POP arrives at the same table. Pure: no clock, no state.
 *
 * <ol>
 *   <li>A POP this one cannot hear keeps a reserve: the most of an even split of the limit (rounded
 *       up), what it was last allotted here, and what it last said it held and meant to hold (it
 *       may still hold them; an isolated POP never gives itself more than an even split, see below).
 *   <li>What remains goes to the POPs heard from by max-min fairness over their demands: a demand
 *       below the fair level is met, the rest share the remainder evenly, remainders to the
 *       largest demands first. Capacity no demand needs is split evenly (the headroom of POPs
 *       with little or no demand). Ties go by node id, so the table is the same everywhere.
 *   <li>A POP may hold the smaller of its allotment and what the others leave it: the capacity less,
 *       for every other POP heard from, the largest of its allotment here, what it holds (slots held
 *       above a shrunken share are never cut, so they count until they close) and the share it said
 *       it computed (which its own view may have made larger than this one's).
 * </ol>
 *
 * <p>So, when every POP hears the same reports, the slots held cluster-wide stay within the limit;
 * see {@code core/DESIGN.md} for the bound while reports are in flight and across partitions.
 */
public final class LimitShares {
  /** What a POP said about one backend: the slots it wanted, held, and computed as its share. */
  public record Report(int demand, int active, int share) {
    public static final Report NONE = new Report(0, 0, 0);

    /** The most slots the POP that said this may hold, as far as it said. */
    int claimed() {
      return Math.max(active, share);
    }

    /** This report with every count within 0..{@code limit} (another POP's numbers are not trusted further). */
    Report within(int limit) {
      return new Report(Math.clamp(demand, 0, limit), Math.clamp(active, 0, limit), Math.clamp(share, 0, limit));
    }
  }

  /** A POP this one cannot hear: what it was last allotted here, and the last it said. */
  public record Silent(int lastAllotted, Report last) {}

  /**
   * The table for one backend.
   *
   * @param allotted per POP heard from, its allotment (they sum to {@code capacity})
   * @param capacity the limit less the reserves of the POPs not heard from
   */
  public record Table(SortedMap<String, Integer> allotted, int capacity) {
    /** The slots {@code node} (one heard from) may hold, given what the others hold. */
    public int shareOf(String node, Map<String, Report> heard) {
      int others = 0;
      for (var entry : allotted.entrySet()) {
        if (!entry.getKey().equals(node)) {
          others += Math.max(entry.getValue(), heard.getOrDefault(entry.getKey(), Report.NONE).claimed());
        }
      }
      return Math.max(0, Math.min(allotted.getOrDefault(node, 0), capacity - others));
    }
  }

  private LimitShares() {}

  /**
   * Shares out {@code limit} (> 0) among the POPs {@code heard} from (this one included) and the
   * {@code silent} ones.
   */
  public static Table allot(int limit, Map<String, Report> heard, Map<String, Silent> silent) {
    int pops = heard.size() + silent.size();
    int evenUp = (limit + Math.max(1, pops) - 1) / Math.max(1, pops);
    long reserved = 0;
    for (Silent s : silent.values()) {
      reserved += Math.min(limit, Math.max(evenUp, Math.max(s.lastAllotted(), s.last().claimed())));
    }
    int capacity = (int) Math.max(0, limit - reserved);
    List<Claim> claims = new ArrayList<>();
    for (var entry : new TreeMap<>(heard).entrySet()) {
      claims.add(new Claim(entry.getKey(), Math.min(limit, Math.max(0, entry.getValue().demand()))));
    }
    return new Table(fill(capacity, claims), capacity);
  }

  private record Claim(String node, int want) {}

  /**
   * Max-min fair allotment of {@code capacity} over {@code claims} (in node order): remainders of the
   * unmet to the largest claims first; what is left over when every claim is met, evenly.
   */
  private static SortedMap<String, Integer> fill(int capacity, List<Claim> claims) {
    SortedMap<String, Integer> out = new TreeMap<>();
    if (claims.isEmpty()) {
      return out;
    }
    List<Claim> byWant = new ArrayList<>(claims);
    byWant.sort(Comparator.comparingInt(Claim::want).thenComparing(Claim::node));
    int left = capacity;
    int i = 0;
    for (; i < byWant.size(); i++) {
      Claim c = byWant.get(i);
      if ((long) c.want() * (byWant.size() - i) > left) {
        break; // this claim and all larger ones are above the fair level
      }
      out.put(c.node(), c.want());
      left -= c.want();
    }
    List<String> unmet = new ArrayList<>();
    for (int j = byWant.size() - 1; j >= i; j--) { // the largest claims first
      unmet.add(byWant.get(j).node());
    }
    List<String> sharing = unmet.isEmpty() ? claims.stream().map(Claim::node).toList() : unmet;
    int each = left / sharing.size();
    int extra = left % sharing.size();
    for (int k = 0; k < sharing.size(); k++) {
      out.merge(sharing.get(k), each + (k < extra ? 1 : 0), Integer::sum);
    }
    return out;
  }
}
