package io.edgeproxy.replication.sim;

import io.edgeproxy.core.change.Cell;
import io.edgeproxy.core.change.Merge;
import io.edgeproxy.core.change.MergeRule;
import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.core.change.Version;
import io.edgeproxy.sql.ReplicaStore;
import io.edgeproxy.sql.RowKey;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What must hold once a simulated cluster has healed and settled, judged from every row state any
 * POP had right after each of its own writes (not from a model of the storage): no committed write
 * lost unless a rejoin reported dropping it, no row brought back once its delete won, and every
 * value one some POP actually wrote under that version.
 */
final class Oracle {
  private final Map<RowKey, List<RowChange>> observed = new HashMap<>();
  private final Map<String, MergeRule> rules = Map.of("registrations.expires_ms", MergeRule.MAX);
  /** How long after its lease ended a registration may be forgotten on some POP (its clock may run ahead). */
  private final long forgetAfterMillis;

  Oracle(long forgetAfterMillis) {
    this.forgetAfterMillis = forgetAfterMillis;
  }

  void observe(RowChange state) {
    observed.computeIfAbsent(new RowKey(state.table(), state.key()), k -> new ArrayList<>()).add(state);
  }

  int rowsObserved() {
    return observed.size();
  }

  /** One change a rejoin dropped (reported), and whose POP made it. */
  record Dropped(ReplicaStore.LostChange change, String node) {
    boolean existence() {
      return change.column().startsWith("(");
    }
  }

  static Map<RowKey, List<Dropped>> dropped(List<SimPop> pops) {
    Map<RowKey, List<Dropped>> out = new HashMap<>();
    for (SimPop pop : pops) {
      for (ReplicaStore.LostChange lost : pop.dropped) {
        out.computeIfAbsent(lost.row(), k -> new ArrayList<>()).add(new Dropped(lost, pop.name()));
      }
    }
    return out;
  }

  /**
   * True when a rejoin's report covers the existence {@code (cl, version)}: it was dropped, or a
   * dropped change of the row came after it (the stale side's whole branch of the row went).
   */
  private static boolean excusedExistence(List<Dropped> dropped, long cl, Version version) {
    for (Dropped d : dropped) {
      if (d.existence() && Merge.compareExistence(d.change().cl(), new Version(d.change().hlc(), d.node()), cl, version) >= 0) {
        return true;
      }
    }
    return false;
  }

  /** True when a rejoin's report covers this cell: dropped, or superseded by a dropped change of its row. */
  private static boolean excusedCell(List<Dropped> dropped, long cl, String column, Version version) {
    for (Dropped d : dropped) {
      Version v = new Version(d.change().hlc(), d.node());
      if (d.existence() ? d.change().cl() > cl : d.change().column().equals(column) && v.compareTo(version) >= 0) {
        return true;
      }
    }
    return false;
  }

  /**
   * True when the row may have been forgotten without a tombstone by {@code now}: a registration
   * whose lease (the largest end written in its life) ended longer ago than the forget time, or a
   * backend row owned by such a registration life (its own life began no later than that one's; two
   * POPs that start the same life at once agree on the newer start, as the merge does, seed 629). A
   * later life of the registration does not bring the backend row back.
   */
  private boolean forgettable(RowKey key, RowChange newest, long now) {
    List<RowChange> leases = observed.get(new RowKey("registrations", key.key()));
    boolean lease = key.table().equals("registrations");
    if (!newest.exists() || leases == null || !(lease || key.table().equals("backends"))) {
      return false;
    }
    Map<Long, Long> ends = new HashMap<>();
    Map<Long, Version> lives = new HashMap<>();
    for (RowChange s : leases) {
      Cell expires = s.cells().get("expires_ms");
      if (s.exists() && expires != null && expires.value() instanceof Number n) {
        ends.merge(s.cl(), n.longValue(), Math::max);
        lives.merge(s.cl(), s.version(), (a, b) -> a.isNewerThan(b) ? a : b); // concurrent starts of one life: the newer wins
      }
    }
    for (var life : lives.entrySet()) {
      boolean owns = lease ? life.getKey() == newest.cl() : !newest.version().isNewerThan(life.getValue());
      if (owns && ends.get(life.getKey()) + forgetAfterMillis < now) {
        return true;
      }
    }
    return false;
  }

  /**
   * Problems with {@code finalRows} (one POP's rows; every POP holds the same by then), by row, at
   * {@code now}.
   */
  List<String> check(Map<RowKey, RowChange> finalRows, Map<RowKey, List<Dropped>> droppedByRow, long now) {
    List<String> problems = new ArrayList<>();
    for (var entry : observed.entrySet()) {
      RowKey key = entry.getKey();
      RowChange actual = finalRows.get(key);
      List<Dropped> dropped = droppedByRow.getOrDefault(key, List.of());
      RowChange maxAll = null;
      RowChange maxKept = null;
      for (RowChange s : entry.getValue()) {
        maxAll = newer(maxAll, s);
        if (!excusedExistence(dropped, s.cl(), s.version())) {
          maxKept = newer(maxKept, s);
        }
      }
      if (actual == null) {
        if (maxKept != null && maxKept.exists() && !forgettable(key, maxKept, now)) {
          problems.add(key + ": gone everywhere, but " + maxKept.version() + " made it exist (cl " + maxKept.cl() + ")");
        }
        continue;
      }
      if (maxKept != null && compare(actual, maxKept) < 0) {
        problems.add(key + ": ended at cl " + actual.cl() + " " + actual.version() + ", behind a write that was kept: cl "
            + maxKept.cl() + " " + maxKept.version() + (maxKept.exists() ? "" : " (a delete: the row came back)"));
      }
      if (compare(actual, maxAll) > 0) {
        problems.add(key + ": ended at cl " + actual.cl() + " " + actual.version() + ", which no POP ever wrote");
      }
      if (actual.exists()) {
        checkCells(key, actual, entry.getValue(), dropped, problems);
      }
    }
    return problems;
  }

  private void checkCells(RowKey key, RowChange actual, List<RowChange> states, List<Dropped> dropped, List<String> problems) {
    for (RowChange s : states) {
      if (s.cl() != actual.cl()) {
        continue;
      }
      for (var cell : s.cells().entrySet()) {
        if (excusedCell(dropped, s.cl(), cell.getKey(), cell.getValue().version())) {
          continue;
        }
        Cell now = actual.cells().get(cell.getKey());
        MergeRule rule = rules.getOrDefault(key.table() + "." + cell.getKey(), MergeRule.LAST_WRITER);
        if (now == null || (!now.version().equals(cell.getValue().version()) && Merge.cellWins(cell.getValue(), now, rule))) {
          problems.add(key + "." + cell.getKey() + ": a kept write " + cell.getValue() + " lost to " + now);
        }
      }
    }
    for (var cell : actual.cells().entrySet()) {
      boolean written = false;
      for (RowChange s : states) {
        Cell seen = s.cells().get(cell.getKey());
        if (seen != null && seen.version().equals(cell.getValue().version())
            && Merge.compareValues(seen.value(), cell.getValue().value()) == 0
            && Objects.isNull(seen.value()) == Objects.isNull(cell.getValue().value())) {
          written = true;
          break;
        }
      }
      if (!written) {
        problems.add(key + "." + cell.getKey() + ": holds " + cell.getValue() + ", a value no POP wrote under that version");
      }
    }
  }

  private static RowChange newer(RowChange a, RowChange b) {
    return a == null || compare(b, a) > 0 ? b : a;
  }

  private static int compare(RowChange a, RowChange b) {
    return Merge.compareExistence(a.cl(), a.version(), b.cl(), b.version());
  }
}
