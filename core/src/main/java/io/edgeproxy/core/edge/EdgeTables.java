package io.edgeproxy.core.edge;

import java.util.List;
import java.util.Map;

/**
 * The valid rows of routing.db's {@code hostnames} and {@code certificates} tables.
 *
 * @param hostnames by hostname (exact names and {@code *.} wildcards)
 * @param certificates in table order
 */
public record EdgeTables(Map<String, HostnameRule> hostnames, List<StoredCertificate> certificates) {
  public static final EdgeTables EMPTY = new EdgeTables(Map.of(), List.of());

  public EdgeTables {
    hostnames = Map.copyOf(hostnames);
    certificates = List.copyOf(certificates);
  }
}
