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
 * @param https the HTTPS edge, or null when it is off
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
    @Nullable ReplicationStatus replication,
    @Nullable Https https,
    io.edgeproxy.tools.wireguard.WgMesh.@Nullable Status wireGuard) {

  /**
   * Active health checks at a glance.
   *
   * @param down "app/backend: last result" for each backend the checks hold down
   */
  public record HealthChecks(int checked, int up, List<String> down) {}

  /**
   * The HTTPS edge at a glance.
   *
   * @param listen its bound address
   * @param http the plain HTTP listener's, or null
   * @param provider the TLS implementation
   * @param names names with a certificate of their own (table and directory)
   * @param sealSource where the key sealing the table's private keys comes from
   * @param sealId that key's public fingerprint ({@code edgeproxy tls add} compares it with its own)
   * @param acme each name ACME keeps a certificate for and where it stands; empty when ACME is off
   */
  public record Https(String listen, @Nullable String http, String provider, List<String> names, String sealSource,
      String sealId, List<io.edgeproxy.tools.tls.acme.AcmeManager.Entry> acme) {}
}
