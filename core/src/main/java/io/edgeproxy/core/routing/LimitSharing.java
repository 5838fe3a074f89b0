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
 *
 * <ul>
 *   <li>A share that shrinks applies at once; one that grows only once it has been computed for
 *       {@code silentAfter} plus three ticks. The others hear of it before it applies (every report
 *       carries the share its sender computed); and a POP cut off from the others computes its
 *       reserves for them within that time, so an increase computed from reports that have gone
 *       stale does not apply unless the last of them arrived more than two ticks late.
 *   <li>A POP that starts keeps the even split its {@link LoadBoard} starts with (among itself and
 *       the POPs it remembers) until a tick computes its shares; one that expects peers but knows
 *       none yet keeps it for {@code settle}. Before it has heard the others, the POPs it does not
 *       hear get the usual reserve: what the others reserve for it in turn.
 * </ul>
 *
 * <p>{@link #tick} runs on one thread; {@link #received} on any.
 */
public final class LimitSharing {

  private record Heard(LimitReport report, long atNanos) {}

  /**
   * How the POPs' reports are timed.
   *
   * @param tick how often {@link #tick} runs (and every POP reports)
   * @param silentAfter how long a POP's last report counts; after that it is a POP this one cannot hear
   * @param settle how long after start a POP that expects peers but knows none keeps its starting split
   */
  public record Timing(Duration tick, Duration silentAfter, Duration settle) {}

  private final String self;
  private final RoutingState state;
  private final long silentAfterNanos;
  private final long settleUntilNanos;
  private final boolean expectPeers;
  private final long epoch;
  private long seq;
  /** Ticks a larger share must be computed in a row before it applies. */
  private final int increaseTicks;
  private final ConcurrentHashMap<String, Heard> latest = new ConcurrentHashMap<>();
  /** Per backend, per POP: what it was allotted the last time it was heard from (tick thread only). */
  private final Map<String, Map<String, Integer>> lastAllotted = new HashMap<>();
  /** Per backend, the shares computed in the last ticks, newest last (tick thread only). */
  private final Map<String, int[]> recent = new HashMap<>();

  /**
   * @param expectPeers whether this POP should find other POPs (it has seeds to join through)
   * @param startNanos now, on the clock of the {@code nowNanos} arguments
   * @param epochMillis this process's start, wall time: orders its reports after an earlier process's
   */
  public LimitSharing(String self, RoutingState state, Timing timing, boolean expectPeers, long startNanos, long epochMillis) {
    this.self = requireNonNull(self, "self");
    this.state = requireNonNull(state, "state");
    this.silentAfterNanos = timing.silentAfter().toNanos();
    this.settleUntilNanos = startNanos + timing.settle().toNanos();
    this.expectPeers = expectPeers;
    this.epoch = epochMillis;
    long tick = timing.tick().toNanos();
    this.increaseTicks = (int) ((silentAfterNanos + tick - 1) / tick) + 3;
  }

  /**
   * A report from another POP. One older than the latest from that POP is ignored, or one of this
   * POP's own; but a report of another process of that POP (another epoch) replaces one gone silent,
   * even if its start time reads earlier (a clock set back between two runs).
   */
  public void received(LimitReport report, long nowNanos) {
    if (!report.node().equals(self)) {
      latest.compute(report.node(), (node, was) -> was == null || report.isNewerThan(was.report())
          || report.epoch() != was.report().epoch() && nowNanos - was.atNanos() > silentAfterNanos
          ? new Heard(report, nowNanos) : was);
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
    Tick tick = new Tick(pops, nowNanos);
    for (String pop : pops) {
      Heard h = latest.get(pop);
      if (h != null) {
        tick.mentioned.addAll(h.report().backends().keySet());
      }
    }
    for (Backend b : snapshot.backends()) {
      if (b.hardLimit() > 0) {
        share(b, board.loadOf(b.id()), tick);
      }
    }
    // What is kept per backend is kept for backends with demand, a few: look each up, not build a set of all.
    lastAllotted.keySet().removeIf(id -> !isLimited(snapshot, id));
    recent.keySet().removeIf(id -> !isLimited(snapshot, id));
    latest.keySet().removeIf(node -> !pops.contains(node) && nowNanos - latest.get(node).atNanos() > 10 * silentAfterNanos);
    return new LimitReport(self, epoch, seq++, tick.own);
  }

  private static boolean isLimited(RoutingSnapshot snapshot, String id) {
    Backend b = snapshot.backend(id);
    return b != null && b.hardLimit() > 0;
  }

  /** What one tick works with, besides the backend at hand. */
  private static final class Tick {
    final Set<String> pops;
    final long nowNanos;
    final Map<String, LimitShares.Report> own = new LinkedHashMap<>();
    /** Backends some POP has said anything of. */
    final Set<String> mentioned = new HashSet<>();
    /** Per limit, the share of a backend no POP uses; and the last one asked (most backends have the same limit). */
    final Map<Integer, Integer> idleShares = new HashMap<>();
    int idleLimit = -1;
    int idleShare;

    Tick(Set<String> pops, long nowNanos) {
      this.pops = pops;
      this.nowNanos = nowNanos;
    }
  }

  /**
   * Sets this POP's share of one hard-limited backend and adds it to the report if it has demand.
   * Kept out of {@link #tick}'s loop (which runs over every backend every tick) so that the loop
   * compiles small; an idle backend no POP mentions costs a comparison and a store.
   */
  private void share(Backend b, BackendLoad load, Tick tick) {
    int demand = load.takeDemand(b.hardLimit());
    int active = load.active();
    if (tick.pops.isEmpty()) {
      if (!expectPeers || tick.nowNanos - settleUntilNanos >= 0) {
        load.setShare(BackendLoad.WHOLE, b.hardLimit()); // alone; else the starting split stays
      }
      if (active > 0 && tick.own.size() < LimitReport.MAX_BACKENDS) { // a POP that joins must see what this one holds
        tick.own.put(b.id(), new LimitShares.Report(demand, active, load.limitHere(b.hardLimit())));
      }
      return;
    }
    boolean idle = demand == 0 && active == 0 && !tick.mentioned.contains(b.id());
    if (idle && !recent.containsKey(b.id())) { // most backends, most of the time: one share per limit
      if (tick.idleLimit != b.hardLimit()) {
        tick.idleLimit = b.hardLimit();
        tick.idleShare = tick.idleShares.computeIfAbsent(b.hardLimit(),
            limit -> computeShare(null, limit, LimitShares.Report.NONE, tick.pops, tick.nowNanos));
      }
      load.setShare(tick.idleShare, b.hardLimit());
      return;
    }
    int computed = computeShare(b.id(), b.hardLimit(), new LimitShares.Report(demand, active, 0), tick.pops, tick.nowNanos);
    int share = delayIncrease(b.id(), computed, load.limitHere(b.hardLimit()));
    load.setShare(share, b.hardLimit());
    if ((demand > 0 || active > 0) && tick.own.size() < LimitReport.MAX_BACKENDS) { // past that, see core/DESIGN.md
      tick.own.put(b.id(), new LimitShares.Report(demand, active, computed));
    } else if (idle && share == computed) { // idle again, no increase pending: back to the shared share
      recent.remove(b.id());
      lastAllotted.remove(b.id());
    }
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
          : h.report().backends().getOrDefault(backend, LimitShares.Report.NONE).within(limit);
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
