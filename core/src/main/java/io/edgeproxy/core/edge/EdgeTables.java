package io.edgeproxy.core.edge;

import java.util.List;
import java.util.Map;

/**
 * The valid rows of routing.db's {@code hostnames}, {@code certificates}, {@code acme_challenges}
 * and {@code cache_purges} tables.
 *
 * @param hostnames by hostname (exact names and {@code *.} wildcards)
 * @param certificates in table order
 * @param challenges ACME HTTP-01 key authorizations by token
 * @param purges the edge cache's purges of the last day ({@code cache_purges}), oldest first
 * @param clientTokens the app of each client token, by the token's hex SHA-256 ({@code client_tokens})
 */
public record EdgeTables(Map<String, HostnameRule> hostnames, List<StoredCertificate> certificates,
    Map<String, String> challenges, List<CachePurge> purges, Map<String, String> clientTokens) {
  public static final EdgeTables EMPTY = new EdgeTables(Map.of(), List.of(), Map.of(), List.of(), Map.of());

  public EdgeTables {
    hostnames = Map.copyOf(hostnames);
    certificates = List.copyOf(certificates);
    challenges = Map.copyOf(challenges);
    purges = List.copyOf(purges);
    clientTokens = Map.copyOf(clientTokens);
  }

  public EdgeTables(Map<String, HostnameRule> hostnames, List<StoredCertificate> certificates) {
    this(hostnames, certificates, Map.of(), List.of(), Map.of());
  }
}
