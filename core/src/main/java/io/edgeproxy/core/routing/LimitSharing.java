package io.edgeproxy.core.routing;

import static java.util.Objects.requireNonNull;

import java.time.Duration;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * This POP's side of sharing every backend's hard limit with the other POPs ({@link LimitShares}).
 * Once a tick it measures what it asked of each hard-limited backend, makes the {@link LimitReport}
 * the others get, and sets its share of each from its own report and the latest report of every POP
 * heard from within {@code silentAfter}; a POP it has not heard from for that long keeps a reserve.
 * A share that shrinks applies at once; one that grows only once it has been computed for longer
 * than {@code silentAfter} plus a tick. The others hear of it (every report carries the share its
 * sender computed) before it applies; and a POP cut off from the others computes its reserves for
 * them within that time, so an increase computed from reports that have gone stale never applies.
 * With no other POP known every limit is this POP's whole.
 *
 * <p>{@link #tick} runs on one thread; {@link #received} on any.
 */
public final class LimitSharing {

  private record Heard(LimitReport report, long atNanos) {}

  private final String self;
  private final RoutingState state;
  private final long silentAfterNanos;
  /** Ticks a larger share must be computed in a row before it applies. */
  private final int increaseTicks;
  private final ConcurrentHashMap<String, Heard> latest = new ConcurrentHashMap<>();
  /** Per backend, per POP: what it was allotted the last time it was heard from (tick thread only). */
  private final Map<String, Map<String, Integer>> lastAllotted = new HashMap<>();
  /** Per backend, the shares computed in the last ticks, newest last (tick thread only). */
  private final Map<String, int[]> recent = new HashMap<>();

  /**
   * @param tick how often {@link #tick} runs (and the others report)
   * @param silentAfter how long a POP's last report counts; after that it is a POP this one cannot hear
   */
  public LimitSharing(String self, RoutingState state, Duration tick, Duration silentAfter) {
    this.self = requireNonNull(self, "self");
    this.state = requireNonNull(state, "state");
    this.silentAfterNanos = silentAfter.toNanos();
    this.increaseTicks = (int) ((silentAfterNanos + tick.toNanos() - 1) / tick.toNanos()) + 2;
  }

  /** A report from another POP (one of this POP's own, echoed back, is ignored). */
  public void received(LimitReport report, long nowNanos) {
    if (!report.node().equals(self)) {
      latest.put(report.node(), new Heard(report, nowNanos));
    }
  }

  /**
   * One tick: this POP's report (to send to {@code peers}, the other POPs it knows, up or not), and
   * its shares set from it and what it heard.
   */
  public LimitReport tick(long nowNanos, Collection<String> peers) {
    RoutingSnapshot snapshot = state.current();
    LoadBoard board = state.loads();
    Set<String> pops = new TreeSet<>(peers);
    latest.forEach((node, heard) -> {
      if (nowNanos - heard.atNanos() <= silentAfterNanos) {
        pops.add(node); // heard from lately, even if membership has not listed it yet
      }
    });
    pops.remove(self);
    Map<String, LimitShares.Report> own = new LinkedHashMap<>();
    Set<String> limited = new HashSet<>();
    Set<String> mentioned = new HashSet<>(); // backends some POP has said anything of
    for (String pop : pops) {
      Heard h = latest.get(pop);
      if (h != null) {
        mentioned.addAll(h.report().backends().keySet());
      }
    }
    Map<Integer, Integer> idleShares = new HashMap<>(); // per limit: the share of a backend no POP uses
    for (Backend b : snapshot.backends()) {
      if (b.hardLimit() <= 0) {
        continue;
      }
      limited.add(b.id());
      BackendLoad load = board.loadOf(b.id());
      int demand = load.takeDemand(b.hardLimit());
      int active = load.active();
      if (pops.isEmpty()) {
        load.setShare(BackendLoad.WHOLE);
        continue;
      }
      boolean idle = demand == 0 && active == 0 && !mentioned.contains(b.id());
      if (idle && !recent.containsKey(b.id())) { // most backends, most of the time: one table per limit
        load.setShare(idleShares.computeIfAbsent(b.hardLimit(),
            limit -> computeShare(null, limit, LimitShares.Report.NONE, pops, nowNanos)));
        continue;
      }
      int computed = computeShare(b.id(), b.hardLimit(), new LimitShares.Report(demand, active, 0), pops, nowNanos);
      int share = delayIncrease(b.id(), computed, load.limitHere(b.hardLimit()));
      load.setShare(share);
      if (demand > 0 || active > 0) {
        own.put(b.id(), new LimitShares.Report(demand, active, computed));
      } else if (idle && share == computed) { // idle again, no increase pending: back to the shared table
        recent.remove(b.id());
        lastAllotted.remove(b.id());
      }
    }
    lastAllotted.keySet().retainAll(limited);
    recent.keySet().retainAll(limited);
    latest.keySet().removeIf(node -> !pops.contains(node) && nowNanos - latest.get(node).atNanos() > 10 * silentAfterNanos);
    return new LimitReport(self, own);
  }

  /**
   * This POP's share of {@code backend} (null: of one no POP has said anything of) from its own
   * report and what it heard, before the increase delay.
   */
  private int computeShare(@Nullable String backend, int limit, LimitShares.Report own, Set<String> pops, long nowNanos) {
    Map<String, LimitShares.Report> heard = new HashMap<>();
    Map<String, LimitShares.Silent> silent = new HashMap<>();
    heard.put(self, own);
    Map<String, Integer> allottedBefore = backend == null ? new HashMap<>()
        : lastAllotted.computeIfAbsent(backend, b -> new HashMap<>());
    for (String pop : pops) {
      Heard h = latest.get(pop);
      LimitShares.Report said = h == null || backend == null ? LimitShares.Report.NONE
          : h.report().backends().getOrDefault(backend, LimitShares.Report.NONE);
      if (h != null && nowNanos - h.atNanos() <= silentAfterNanos) {
        heard.put(pop, said);
      } else {
        silent.put(pop, new LimitShares.Silent(allottedBefore.getOrDefault(pop, 0), said));
      }
    }
    LimitShares.Table table = LimitShares.allot(limit, heard, silent);
    allottedBefore.putAll(table.allotted());
    allottedBefore.keySet().retainAll(unionOf(heard.keySet(), silent.keySet()));
    return table.shareOf(self, heard);
  }

  /**
   * The share to enforce: {@code computed} if it is no larger than the last ticks' ones, else the
   * smallest of them; the first time, the limit enforced until now ({@code current}) counts as one.
   */
  private int delayIncrease(String backend, int computed, int current) {
    int[] last = recent.getOrDefault(backend, new int[] {current});
    int[] next = new int[Math.min(increaseTicks, last.length + 1)];
    System.arraycopy(last, last.length - (next.length - 1), next, 0, next.length - 1);
    next[next.length - 1] = computed;
    recent.put(backend, next);
    int share = computed;
    for (int s : next) {
      share = Math.min(share, s);
    }
    return share;
  }

  private static Set<String> unionOf(Set<String> a, Set<String> b) {
    Set<String> out = new HashSet<>(a);
    out.addAll(b);
    return out;
  }
}
