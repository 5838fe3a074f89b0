package io.edgeproxy.core.edge;

import java.util.List;
import java.util.Map;

/**
 * The valid rows of routing.db's {@code hostnames}, {@code certificates} and
 * {@code acme_challenges} tables.
 *
 * @param hostnames by hostname (exact names and {@code *.} wildcards)
 * @param certificates in table order
 * @param challenges ACME HTTP-01 key authorizations by token
 */
public record EdgeTables(Map<String, HostnameRule> hostnames, List<StoredCertificate> certificates,
    Map<String, String> challenges) {
  public static final EdgeTables EMPTY = new EdgeTables(Map.of(), List.of(), Map.of());

  public EdgeTables {
    hostnames = Map.copyOf(hostnames);
    certificates = List.copyOf(certificates);
    challenges = Map.copyOf(challenges);
  }

  public EdgeTables(Map<String, HostnameRule> hostnames, List<StoredCertificate> certificates) {
    this(hostnames, certificates, Map.of());
  }
}
