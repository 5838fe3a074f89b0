package io.edgeproxy.sql;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** The tables whose rows replicate between POPs, with their key and value columns. */
public enum ReplicatedTable {
  BACKENDS("backends", "id",
      List.of("app", "region", "country", "wg_ip", "port", "healthy", "weight", "soft_limit", "hard_limit", "deleted")),
  APPS("apps", "name", List.of("proxy_protocol")),
  REGION_COUNTRIES("region_countries", "country", List.of("region")),
  REGISTRATIONS("registrations", "id",
      List.of("app", "ttl_ms", "expires_ms", "expired", "accepted_by", "registered_ms", "metadata")),
  API_TOKENS("api_tokens", "hash", List.of("scope", "created_ms", "note")),
  HEALTH_CHECKS("health_checks", "app", List.of("type", "path", "interval_ms", "timeout_ms", "rise", "fall"));

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

  /** True for tables the routing snapshot is built from; a change to another one needs no reload. */
  public boolean feedsRouting() {
    return this != REGISTRATIONS && this != API_TOKENS;
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
