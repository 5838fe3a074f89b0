package io.edgeproxy.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The tables whose rows replicate between POPs, with their key and value columns. */
public enum ReplicatedTable {
  BACKENDS("backends", "id",
      List.of("app", "region", "country", "wg_ip", "port", "healthy", "weight", "soft_limit", "hard_limit", "deleted")),
  APPS("apps", "name", List.of("proxy_protocol")),
  REGION_COUNTRIES("region_countries", "country", List.of("region"));

  private final String table;
  private final String key;
  private final List<String> values;

  ReplicatedTable(String table, String key, List<String> values) {
    this.table = table;
    this.key = key;
    this.values = values;
  }

  public String table() {
    return table;
  }

  public String keyColumn() {
    return key;
  }

  public List<String> valueColumns() {
    return values;
  }

  /** Key column first, then the value columns. */
  List<String> allColumns() {
    List<String> all = new ArrayList<>(values.size() + 1);
    all.add(key);
    all.addAll(values);
    return all;
  }

  public static Optional<ReplicatedTable> named(String table) {
    for (ReplicatedTable t : values()) {
      if (t.table.equals(table)) {
        return Optional.of(t);
      }
    }
    return Optional.empty();
  }
}
