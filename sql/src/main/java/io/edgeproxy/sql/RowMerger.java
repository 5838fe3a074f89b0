package io.edgeproxy.sql;

import io.edgeproxy.core.change.Cell;
import io.edgeproxy.core.change.Merge;
import io.edgeproxy.core.change.MergeRule;
import io.edgeproxy.core.change.RowChange;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Merges one row state from another POP into routing.db by {@link Merge}'s rule, writing the
 * table and the versions together. A table or column this POP's schema does not know is kept
 * aside in the row's cells (value included) and merged there by the same rule, so it is
 * neither refused nor lost, and is applied when an upgrade adds it. Capture is paused by the
 * caller.
 */
final class RowMerger {
  private final Statements st;
  private final ReplicatedSchema schema;
  private final Clocks clocks;
  private final Map<String, Long> horizons;
  private final ForgottenLeases forgotten;

  /**
   * @param horizons per origin, the newest tombstone compacted here: an older tombstone of a row
   *     this POP no longer holds is not stored again
   */
  RowMerger(Statements st, ReplicatedSchema schema, Clocks clocks, Map<String, Long> horizons) {
    this.st = st;
    this.schema = schema;
    this.clocks = clocks;
    this.horizons = horizons;
    this.forgotten = new ForgottenLeases(st);
  }

  /** Merges {@code in}; true if anything here changed. */
  boolean merge(RowChange in) throws SQLException {
    ReplicatedTable table = schema.table(in.table()).orElse(null);
    Clocks.RowClock before = clocks.read(in.table(), in.key());
    if (before == null && forgotten.refuses(in, clocks)) {
      return false; // a registration forgotten here (or its backend), offered back by a POP that has not forgotten it yet
    }
    Clocks.Existence existence = before == null ? null : before.existence();
    if (existence != null && in.cl() < existence.cl()) {
      return false; // a life this POP has already seen end
    }
    if (existence == null || in.cl() > existence.cl()) {
      Long horizon = horizons.get(in.version().node());
      if (existence == null && !in.exists() && horizon != null && Long.compareUnsigned(in.version().hlc(), horizon) <= 0) {
        return false; // a tombstone this POP already compacted away
      }
      newLife(table, in, before);
      return true;
    }
    boolean changed = false;
    Clocks.Existence now = existence;
    if (in.version().isNewerThan(existence.version())) {
      now = new Clocks.Existence(in.cl(), in.version());
      changed = true;
    }
    Map<String, Clocks.StoredCell> cells = new LinkedHashMap<>(before.cells());
    Map<String, @Nullable Object> baseWrites = new LinkedHashMap<>();
    if (in.exists()) {
      for (var entry : in.cells().entrySet()) {
        String column = entry.getKey();
        Clocks.StoredCell was = cells.get(column);
        MergeRule rule = table == null ? MergeRule.LAST_WRITER : table.ruleOf(column);
        Cell stored = was == null ? null : new Cell(was.value(), was.version());
        if (!Merge.cellWins(entry.getValue(), stored, rule)) {
          continue;
        }
        cells.put(column, storedCell(table, column, entry.getValue()));
        if (table != null && table.hasColumn(column)) {
          baseWrites.put(column, entry.getValue().value());
        }
        changed = true;
      }
    }
    if (!changed) {
      return false;
    }
    clocks.write(in.table(), in.key(), before, new Clocks.RowClock(now, cells));
    if (table != null && !baseWrites.isEmpty()) {
      BaseRows.upsert(st, table, in.key(), baseWrites);
    }
    return true;
  }

  /** {@code in} starts a life (or a deletion) later than what is here: it replaces the row. */
  private void newLife(@Nullable ReplicatedTable table, RowChange in, Clocks.@Nullable RowClock before) throws SQLException {
    Clocks.Existence existence = new Clocks.Existence(in.cl(), in.version());
    if (!in.exists()) {
      clocks.write(in.table(), in.key(), before, new Clocks.RowClock(existence, Map.of()));
      if (table != null) {
        BaseRows.delete(st, table, in.key());
      }
      return;
    }
    Map<String, Clocks.StoredCell> cells = new LinkedHashMap<>();
    Map<String, @Nullable Object> values = new LinkedHashMap<>();
    for (var entry : in.cells().entrySet()) {
      cells.put(entry.getKey(), storedCell(table, entry.getKey(), entry.getValue()));
      if (table != null && table.hasColumn(entry.getKey())) {
        values.put(entry.getKey(), entry.getValue().value());
      }
    }
    clocks.write(in.table(), in.key(), before, new Clocks.RowClock(existence, cells));
    if (table != null) {
      BaseRows.replace(st, table, in.key(), values);
    }
  }

  private static Clocks.StoredCell storedCell(@Nullable ReplicatedTable table, String column, Cell cell) {
    boolean kept = table == null || !table.hasColumn(column);
    boolean keepValue = kept || table.keepsValue(column);
    return new Clocks.StoredCell(cell.version(), kept, keepValue ? cell.value() : null);
  }
}
