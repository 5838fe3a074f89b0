package io.edgeproxy.sql;

import io.edgeproxy.core.change.MergeRule;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The replicated tables of one routing.db, read from the file itself: the registry the migrations
 * fill ({@code __edge_tables}, {@code __edge_merge_rules}) and each table's columns. Two POPs with
 * different schema versions have different ones; what one does not know yet it keeps aside.
 *
 * @param version the file's schema version ({@code PRAGMA user_version})
 */
public record ReplicatedSchema(int version, Map<String, ReplicatedTable> byName) {
  public ReplicatedSchema {
    byName = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(byName));
  }

  static ReplicatedSchema read(Connection c) throws SQLException {
    Map<String, Map<String, MergeRule>> rules = new HashMap<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT tbl, col, rule FROM __edge_merge_rules")) {
      while (rs.next()) {
        rules.computeIfAbsent(rs.getString(1), t -> new HashMap<>())
            .put(rs.getString(2), MergeRule.valueOf(ruleName(rs.getString(3))));
      }
    }
    Map<String, ReplicatedTable> tables = new LinkedHashMap<>();
    List<String[]> declared = new ArrayList<>();
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("SELECT tbl, key_column FROM __edge_tables ORDER BY rowid")) {
      while (rs.next()) {
        declared.add(new String[] {rs.getString(1), rs.getString(2)});
      }
    }
    for (String[] d : declared) {
      List<String> columns = new ArrayList<>();
      try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA table_info(\"" + d[0] + "\")")) {
        while (rs.next()) {
          String column = rs.getString("name");
          if (!column.equalsIgnoreCase(d[1])) {
            columns.add(column);
          }
        }
      }
      if (!columns.isEmpty()) {
        tables.put(d[0], new ReplicatedTable(d[0], d[1], columns, rules.getOrDefault(d[0], Map.of())));
      }
    }
    return new ReplicatedSchema(Migrations.userVersion(c), tables);
  }

  private static String ruleName(String stored) {
    return switch (stored.toLowerCase(Locale.ROOT)) {
      case "max" -> "MAX";
      default -> "LAST_WRITER";
    };
  }

  public Optional<ReplicatedTable> table(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  public Collection<ReplicatedTable> tables() {
    return byName.values();
  }

  /** True when this schema stores {@code column} of {@code table} in the table itself. */
  public boolean knows(String table, String column) {
    ReplicatedTable t = byName.get(table);
    return t != null && t.hasColumn(column);
  }
}
