package io.edgeproxy.tools.admin;

import io.edgeproxy.replication.ReplicationStatus;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * What {@code GET /v1/status} returns: this POP at a glance.
 *
 * @param snapshotVersion version of the routing snapshot in force
 * @param backends backend rows loaded (healthy or not)
 * @param apps apps with at least one backend
 * @param listeners proxy listeners, "app@host:port"
 * @param activeConnections proxied connections open now
 * @param healthChecks this POP's active health checks: backends checked, and the ones held down
 * @param replication replication's view, or null when it is off
 */
public record NodeStatus(
    String version,
    String region,
    String routingDb,
    long snapshotVersion,
    int backends,
    int apps,
    List<String> listeners,
    int activeConnections,
    HealthChecks healthChecks,
    @Nullable ReplicationStatus replication) {

  /**
   * Active health checks at a glance.
   *
   * @param down "app/backend: last result" for each backend the checks hold down
   */
  public record HealthChecks(int checked, int up, List<String> down) {}
}
