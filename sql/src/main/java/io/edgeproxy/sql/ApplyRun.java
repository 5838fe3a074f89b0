package io.edgeproxy.sql;

import io.edgeproxy.core.change.HybridClock;
import io.edgeproxy.core.change.RowChange;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * One transaction's worth of merging rows from other POPs (see {@link ReplicaStore#apply}): each
 * row is checked, held when stamped too far ahead of this POP's clock, or merged; the outcome is
 * tallied for the {@link ApplyResult}.
 */
final class ApplyRun {
  private final Statements st;
  private final ReplicatedSchema schema;
  private final HybridClock clock;
  private final List<DigestDelta> deltas = new ArrayList<>();
  private final RowMerger merger;
  private final Set<RowKey> changed = new LinkedHashSet<>();
  private final List<String> rejected = new ArrayList<>();
  private int applied;
  private int stale;
  private int held;

  ApplyRun(Statements st, ReplicatedSchema schema, HybridClock clock, Map<String, Long> horizons) {
    this.st = st;
    this.schema = schema;
    this.clock = clock;
    this.merger = new RowMerger(st, schema, new Clocks(st, deltas::add), horizons);
  }

  /** Merges every row; false if any was refused or held. */
  boolean mergeAll(List<RowChange> rows) throws SQLException {
    boolean clean = true;
    for (RowChange row : rows) {
      String problem = ChangeCheck.problemWith(row, schema);
      if (problem != null) {
        rejected.add(problem);
        clean = false;
        continue;
      }
      long newest = row.newest().hlc();
      if (!clock.observe(newest)) {
        long releaseMs = HybridClock.millisOf(newest) - clock.maxSkewMillis();
        st.update("INSERT INTO __edge_held (release_ms, row) VALUES (?, ?)", releaseMs, RowChangeCodec.encode(row));
        held++;
        clean = false;
        continue;
      }
      if (merger.merge(row)) {
        applied++;
        changed.add(new RowKey(row.table(), row.key()));
      } else {
        stale++;
      }
    }
    return clean;
  }

  ApplyResult result(List<Boolean> clean, ReplicaStore.Capture captured) {
    return new ApplyResult(new ArrayList<>(changed), applied, stale, rejected, held, clean, deltas, captured);
  }
}
