package io.edgeproxy.discovery;

import static java.util.Objects.requireNonNull;

import io.edgeproxy.core.config.ApiConfig;
import io.edgeproxy.core.geo.ClientLocator;
import io.edgeproxy.core.routing.RoutingState;
import io.edgeproxy.sql.ApiTokens;
import io.edgeproxy.sql.CachePurges;
import io.edgeproxy.sql.Registrations;
import io.edgeproxy.sql.RoutingReloader;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;

/**
 * What the discovery API works with, all owned by the node that starts it.
 *
 * @param self this POP's id (the replication node id, or its region without replication); leases
 *     record it as the POP that accepted the registration or its last renewal
 * @param members the cluster's members as this POP sees them (itself included)
 * @param nodeStatus this POP's status (version, snapshot, listeners, replication lag) for the status page
 * @param metrics the Prometheus text of every metric of the node
 * @param reloadAll re-reads routing.db into the snapshot (after a bulk change)
 * @param receipts write receipts of this POP's writes, and their state across the cluster
 * @param tunnels the device tunnels this POP holds, then those others hold, for the status page
 * @param cache the edge cache as the admin endpoint's {@code /v1/cache} shows it (its {@code apps}
 *     list is filtered by the caller's scope on the status page)
 * @param history the last 15 minutes of this POP for the status page's charts ({@code times};
 *     {@code apps}, {@code backends} and {@code events}, each entry with its {@code app}, filtered
 *     by the caller's scope; {@code peers})
 */
public record ApiContext(ApiConfig config, String self, RoutingState state, RoutingReloader reloader, ClientLocator locator,
    Registrations registrations, ApiTokens tokens, MeterRegistry registry, Supplier<List<Member>> members,
    Supplier<Object> nodeStatus, Supplier<String> metrics, Runnable reloadAll, WriteReceipts receipts,
    Supplier<List<TunnelView>> tunnels, CachePurges purges, Supplier<Map<String, Object>> cache,
    Supplier<Map<String, Object>> history) {

  /** A member of the cluster as shown by {@code GET /api/v1/members}. */
  public record Member(String nodeId, String region, String address, boolean self, boolean connected) {}

  public ApiContext {
    requireNonNull(config, "config");
    requireNonNull(self, "self");
    requireNonNull(state, "state");
    requireNonNull(reloader, "reloader");
    requireNonNull(locator, "locator");
    requireNonNull(registrations, "registrations");
    requireNonNull(tokens, "tokens");
    requireNonNull(purges, "purges");
    requireNonNull(registry, "registry");
    requireNonNull(members, "members");
    requireNonNull(nodeStatus, "nodeStatus");
    requireNonNull(metrics, "metrics");
    requireNonNull(reloadAll, "reloadAll");
    requireNonNull(receipts, "receipts");
    requireNonNull(tunnels, "tunnels");
    requireNonNull(cache, "cache");
    requireNonNull(history, "history");
  }
}
