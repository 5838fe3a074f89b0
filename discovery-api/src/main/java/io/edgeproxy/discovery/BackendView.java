package io.edgeproxy.discovery;

import com.fasterxml.jackson.databind.JsonNode;
import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.routing.BackendLoad;
import io.edgeproxy.sql.RegistrationLease;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A backend as the API shows it: its routing.db row, what this POP makes of it, and its lease
 * when it was registered through the API.
 *
 * @param healthy what the proxy and DNS of this POP use: healthy in routing.db, and neither failing
 *     its active health check nor ejected here
 * @param healthyInDb routing.db's {@code healthy} column (shared by every POP)
 * @param check this POP's active health check: "up", "down", or "none"
 * @param registered true when the backend has a lease from the discovery API
 * @param leaseExpiresInSecs seconds until the lease runs out (negative: it ran out), or null
 */
record BackendView(String id, String app, String region, @Nullable String country, String ip, int port, int weight,
    int softLimit, int hardLimit, boolean healthy, boolean healthyInDb, String check, boolean ejected,
    int activeConnections, boolean registered, @Nullable Long leaseExpiresInSecs, @Nullable Long registeredSecs,
    @Nullable String acceptedBy, @Nullable JsonNode metadata) {

  static BackendView of(Backend b, @Nullable BackendLoad load, @Nullable RegistrationLease lease, boolean checked,
      long nowMs, long nowNanos) {
    boolean failing = load != null && load.isCheckFailing();
    boolean ejected = load != null && load.isEjected(nowNanos);
    return new BackendView(b.id(), b.app(), b.region(), b.country(), b.address().getHostAddress(), b.port(), b.weight(),
        b.softLimit(), b.hardLimit(), b.healthy() && !failing && !ejected, b.healthy(),
        !checked ? "none" : failing ? "down" : "up", ejected, load == null ? 0 : load.active(), lease != null,
        lease == null ? null : Math.floorDiv(lease.expiresMs() - nowMs, 1000L),
        lease == null ? null : (nowMs - lease.registeredMs()) / 1000, lease == null ? null : lease.acceptedBy(),
        lease == null ? null : metadata(lease.metadataJson()));
  }

  private static @Nullable JsonNode metadata(String json) {
    try {
      return ApiResponse.JSON.readTree(json);
    } catch (Exception e) {
      return null; // a hand-edited row: show the backend without it
    }
  }

  Map<String, Object> asMap() {
    return ApiResponse.JSON.convertValue(this, Map.class);
  }
}
