package io.edgeproxy.replication.sim;

import io.edgeproxy.core.change.HybridClock;
import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.sql.Registrations;
import io.edgeproxy.sql.RowKey;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * What must hold once a simulated cluster has healed and settled, judged on every POP at the end of
 * a run: the same content everywhere (rows still being compacted or forgotten left out), no rejoin
 * pending, no change held past its time, every routing snapshot equal to a full read, the
 * {@link Oracle}'s verdict on every row, and lease outcomes (heartbeating backends alive, stopped
 * ones expired, deregistered ones gone, long-expired registrations forgotten for good).
 */
final class Verdict {
  private final Simulation.Options options;
  private final long now;
  private final List<Simulation.Backend> backends;
  private final Oracle oracle;

  /** {@code now}: the virtual time the run ended at. */
  Verdict(Simulation.Options options, long now, List<Simulation.Backend> backends, Oracle oracle) {
    this.options = options;
    this.now = now;
    this.backends = backends;
    this.oracle = oracle;
  }

  /** What does not hold on {@code all} (the first is the reference); empty when everything does. */
  List<String> problems(List<SimPop> all) {
    List<String> problems = new ArrayList<>();
    SimPop first = all.getFirst();
    Set<String> forgetting = forgetting(all);
    Map<RowKey, Long> expected = hashes(first, forgetting);
    for (SimPop pop : all) {
      if (pop.node().view().rejoin() != null) {
        problems.add(pop.name() + " is still rejoining: " + pop.node().view().rejoin());
      }
      Map<RowKey, Long> actual = hashes(pop, forgetting);
      if (!actual.equals(expected)) {
        problems.add(pop.name() + " differs from " + first.name() + " in " + differing(expected, actual));
        Set<RowKey> keys = new HashSet<>(expected.keySet());
        keys.addAll(actual.keySet());
        keys.removeIf(k -> Objects.equals(expected.get(k), actual.get(k)));
        for (RowKey k : keys.stream().limit(3).toList()) {
          problems.add("  " + first.name() + ": " + first.store().rows(List.of(k)));
          problems.add("  " + pop.name() + ": " + pop.store().rows(List.of(k)));
        }
        problems.add("  " + pop.name() + " view: " + pop.node().view());
        problems.add("  " + first.name() + " view: " + first.node().view());
      }
      problems.addAll(pop.routingProblems());
      var release = pop.store().nextRelease();
      if (release.isPresent() && release.getAsLong() < pop.wallMillis() - 1_000) {
        problems.add(pop.name() + " still holds changes stamped ahead that were due at " + release.getAsLong());
      }
    }
    Map<RowKey, RowChange> rows = new LinkedHashMap<>();
    first.store().rows(k -> !k.key().startsWith("hb-"), r -> rows.put(new RowKey(r.table(), r.key()), r));
    problems.addAll(oracle.check(rows, Oracle.dropped(all), now));
    problems.addAll(leases(all));
    problems.addAll(forgottenForGood(all));
    return problems;
  }

  /** Registrations whose lease ended longer ago than the forget time on some POP's clock (the wild one's ahead). */
  private Set<String> forgetting(List<SimPop> all) {
    Set<String> out = new HashSet<>();
    long soonest = now + options.wildSkewMillis() + options.maxSkewMillis() - options.leaseForgetMillis();
    for (SimPop pop : all) {
      new Registrations(pop.db()).all().values().forEach(lease -> {
        if (lease.expiresMs() < soonest) {
          out.add(lease.id());
        }
      });
    }
    return out;
  }

  /**
   * A registration whose lease ended longer ago than the forget time is forgotten on every POP
   * within a compaction interval (and the clock bounds), and stays forgotten: a POP that has not
   * forgotten it yet must not keep bringing it back to those that have.
   */
  private List<String> forgottenForGood(List<SimPop> all) {
    List<String> problems = new ArrayList<>();
    for (SimPop pop : all) {
      long clock = pop.wallMillis();
      new Registrations(pop.db()).all().values().forEach(lease -> {
        long late = clock - lease.expiresMs() - options.leaseForgetMillis() - options.forgottenEverywhereAfter();
        if (late > 0) {
          problems.add("registrations/" + lease.id() + ": its lease ended at " + (lease.expiresMs() - Simulation.START)
              + " (virtual), " + (late + options.forgottenEverywhereAfter()) + " ms past its forget time, and " + pop.name()
              + " still holds it");
        }
      });
    }
    return problems;
  }

  /**
   * A backend still heartbeating routes everywhere; one that stopped is expired everywhere; a
   * deregistered one is gone. A POP whose clock is off by more than the bound judges leases off by
   * as much (it is flagged for it), so it is left out here.
   */
  private List<String> leases(List<SimPop> all) {
    List<String> problems = new ArrayList<>();
    for (Simulation.Backend b : backends) {
      for (SimPop pop : all) {
        if (Math.abs(pop.wallMillis() - now) > options.maxSkewMillis()) {
          continue;
        }
        var lease = new Registrations(pop.db()).find(b.id);
        long clock = pop.wallMillis();
        if (b.heartbeating) {
          if (lease.isEmpty() || lease.get().expiredAt(clock)) {
            problems.add(b.id + " kept heartbeating but its lease is " + (lease.isEmpty() ? "gone" : "expired") + " on " + pop.name());
          }
        } else if (b.deregistered) {
          // final, unless a rejoin dropped it (the POP that took it was cut off too long): then it was reported
          if (lease.isPresent() && !reportedDropped(all, b.id)) {
            problems.add(b.id + " was deregistered but is still registered on " + pop.name());
          }
        } else if (lease.isPresent() && !lease.get().expiredAt(clock)) {
          problems.add(b.id + " stopped heartbeating " + (now - b.stoppedAt) + " ms ago but is alive on " + pop.name());
        }
      }
    }
    return problems;
  }

  private static boolean reportedDropped(List<SimPop> all, String id) {
    return all.stream().flatMap(p -> p.dropped.stream()).anyMatch(l -> l.row().key().equals(id));
  }

  /**
   * Every row's hash, tombstones past the TTL left out: each POP compacts them on its own schedule,
   * so for a few seconds some still hold one others have forgotten (and refuse to store again).
   * So are the rows of registrations being forgotten (their backends' too), for the same reason;
   * {@link #forgottenForGood} judges them.
   */
  private Map<RowKey, Long> hashes(SimPop pop, Set<String> forgetting) {
    Set<RowKey> expired = new HashSet<>();
    long cutoff = HybridClock.fromMillis(now - options.tombstoneTtlMillis() + 2_000);
    pop.store().rows(k -> true, r -> {
      if (!r.exists() && Long.compareUnsigned(r.version().hlc(), cutoff) < 0) {
        expired.add(new RowKey(r.table(), r.key()));
      }
    });
    Map<RowKey, Long> out = new LinkedHashMap<>();
    pop.store().rowHashes(k -> !expired.contains(k) && !k.key().startsWith("hb-")
        && !((k.table().equals("registrations") || k.table().equals("backends")) && forgetting.contains(k.key())), out::put);
    return out;
  }

  private static String differing(Map<RowKey, Long> a, Map<RowKey, Long> b) {
    Set<RowKey> keys = new HashSet<>(a.keySet());
    keys.addAll(b.keySet());
    keys.removeIf(k -> Objects.equals(a.get(k), b.get(k)));
    return keys.size() + " rows, e.g. " + keys.stream().limit(5).toList();
  }
}
