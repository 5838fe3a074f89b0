package io.edgeproxy.sql;

import static java.util.Objects.requireNonNull;

import io.edgeproxy.core.change.MergeRule;
import java.util.List;
import java.util.Map;

/**
 * A table whose rows replicate between POPs, as this POP's routing.db declares it: its key column,
 * its other columns (read from the table itself) and the columns that do not merge by last
 * writer. Declared by migrations in {@code __edge_tables} and {@code __edge_merge_rules}, so a
 * later migration adds a replicated table or column without code here.
 *
 * @param name table name
 * @param keyColumn its primary key column; keys replicate as text
 * @param valueColumns every other column, in table order
 * @param rules merge rule of columns that do not merge by last writer
 */
public record ReplicatedTable(String name, String keyColumn, List<String> valueColumns, Map<String, MergeRule> rules) {
  public ReplicatedTable {
    requireNonNull(name, "name");
    requireNonNull(keyColumn, "keyColumn");
    valueColumns = List.copyOf(valueColumns);
    rules = Map.copyOf(rules);
  }

  public MergeRule ruleOf(String column) {
    return rules.getOrDefault(column, MergeRule.LAST_WRITER);
  }

  /** True when the column's merge needs its current value (kept beside its version). */
  boolean keepsValue(String column) {
    return ruleOf(column) != MergeRule.LAST_WRITER;
  }

  public boolean hasColumn(String column) {
    return valueColumns.contains(column);
  }
}
