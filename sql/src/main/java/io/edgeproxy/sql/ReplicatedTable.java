package io.edgeproxy.sql;

import static java.util.Objects.requireNonNull;

import io.edgeproxy.core.change.MergeRule;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A table whose rows replicate between POPs, as this POP's routing.db declares it: its key column,
 * its other columns (read from the table itself) and the columns that do not merge by last
 * writer. Declared by migrations in {@code __edge_tables} and {@code __edge_merge_rules}, so a
 * later migration adds a replicated table or column without code here.
 *
 * <p>A value, asked per cell of every row merged or captured: {@link #hasColumn} is a set lookup,
 * and the hash (it keys statement caches) is computed once.
 */
public final class ReplicatedTable {
  private final String name;
  private final String keyColumn;
  private final List<String> valueColumns;
  private final java.util.Set<String> columnSet;
  private final Map<String, MergeRule> rules;
  private final int hash;

  /**
   * @param name table name
   * @param keyColumn its primary key column; keys replicate as text
   * @param valueColumns every other column, in table order
   * @param rules merge rule of columns that do not merge by last writer
   */
  public ReplicatedTable(String name, String keyColumn, List<String> valueColumns, Map<String, MergeRule> rules) {
    this.name = requireNonNull(name, "name");
    this.keyColumn = requireNonNull(keyColumn, "keyColumn");
    this.valueColumns = List.copyOf(valueColumns);
    this.columnSet = java.util.Set.copyOf(this.valueColumns);
    this.rules = Map.copyOf(rules);
    this.hash = java.util.Objects.hash(name, keyColumn, this.valueColumns, this.rules);
  }

  public String name() {
    return name;
  }

  public String keyColumn() {
    return keyColumn;
  }

  public List<String> valueColumns() {
    return valueColumns;
  }

  public Map<String, MergeRule> rules() {
    return rules;
  }

  public MergeRule ruleOf(String column) {
    return rules.isEmpty() ? MergeRule.LAST_WRITER : rules.getOrDefault(column, MergeRule.LAST_WRITER);
  }

  /** True when the column's merge needs its current value (kept beside its version). */
  boolean keepsValue(String column) {
    return ruleOf(column) != MergeRule.LAST_WRITER;
  }

  public boolean hasColumn(String column) {
    return columnSet.contains(column);
  }

  @Override
  public boolean equals(@Nullable Object o) {
    return o == this || o instanceof ReplicatedTable t && hash == t.hash && name.equals(t.name) && keyColumn.equals(t.keyColumn)
        && valueColumns.equals(t.valueColumns) && rules.equals(t.rules);
  }

  @Override
  public int hashCode() {
    return hash;
  }

  @Override
  public String toString() {
    return "ReplicatedTable[name=" + name + ", keyColumn=" + keyColumn + ", valueColumns=" + valueColumns + ", rules=" + rules + "]";
  }
}
