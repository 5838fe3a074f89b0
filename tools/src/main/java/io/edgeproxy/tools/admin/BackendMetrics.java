package io.edgeproxy.tools.admin;

import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.routing.BackendLoad;
import io.edgeproxy.proxy.health.BackendHealth;
import io.edgeproxy.tools.EdgeNode;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.List;
import java.util.Map;

/**
 * Per backend of the snapshot in force ({@code app}, {@code backend} labels), as this POP sees it:
 * {@code edge_proxy_backend_up} (1 while it takes new clients here), connections open, made and
 * failed, bytes each way, the connections this POP may hold of its hard limit; and per backend under an active health check, the check's verdict and
 * probe totals.
 */
final class BackendMetrics {
  private final MeterRows up;
  private final MeterRows active;
  private final MeterRows limitHere;
  private final MeterRows connections;
  private final MeterRows failures;
  private final MeterRows sent;
  private final MeterRows received;
  private final MeterRows checkUp;
  private final MeterRows checks;
  private final MeterRows checkFailures;

  BackendMetrics(MeterRegistry registry) {
    up = MeterRows.gauge(registry, "edge.proxy.backend.up", "1 while this POP sends new clients to the backend: healthy in"
        + " routing.db, not held down by its active health check, not ejected after connect failures; else 0", null);
    active = MeterRows.gauge(registry, "edge.proxy.backend.connections.active", "Client connections open to the backend", null);
    limitHere = MeterRows.gauge(registry, "edge.proxy.backend.limit.here", "Connections this POP may hold to a backend with a"
        + " hard limit: its share of the limit among the POPs (all of it when no other POP is known)", null);
    connections = MeterRows.counter(registry, "edge.proxy.backend.connections", "Connections to the backend established", null);
    failures = MeterRows.counter(registry, "edge.proxy.backend.connect.failures",
        "Connects to the backend that failed (refused, reset, timed out)", null);
    sent = MeterRows.counter(registry, "edge.proxy.backend.sent", "Bytes relayed from clients to the backend", "bytes");
    received = MeterRows.counter(registry, "edge.proxy.backend.received", "Bytes relayed from the backend to clients", "bytes");
    checkUp = MeterRows.gauge(registry, "edge.health.check.up",
        "1 while this POP's active health check lets the backend take clients, 0 while it holds it down", null);
    checks = MeterRows.counter(registry, "edge.health.checks", "Health check probes finished", null);
    checkFailures = MeterRows.counter(registry, "edge.health.check.failures", "Health check probes that failed", null);
  }

  /** Reads the snapshot in force, the loads and the health checks once. */
  void refresh(EdgeNode node) {
    long now = System.nanoTime();
    Map<String, BackendLoad> loads = node.state().loads().view();
    for (Backend b : node.state().current().backends()) {
      BackendLoad load = loads.get(b.id());
      Tags tags = Tags.of("app", b.app(), "backend", b.id());
      up.row(tags, b.healthy() && (load == null || !load.isDownHere(now)) ? 1 : 0);
      if (load != null) {
        active.row(tags, load.active());
        if (b.hardLimit() > 0) {
          limitHere.row(tags, load.limitHere(b.hardLimit()));
        }
        connections.row(tags, load.connectionsTotal());
        failures.row(tags, load.connectFailuresTotal());
        sent.row(tags, load.bytesToBackend());
        received.row(tags, load.bytesFromBackend());
      }
    }
    for (BackendHealth h : node.healthChecker().backends()) {
      Tags tags = Tags.of("app", h.app(), "backend", h.backendId());
      checkUp.row(tags, h.up() ? 1 : 0);
      checks.row(tags, h.checksTotal());
      checkFailures.row(tags, h.failuresTotal());
    }
    for (MeterRows meter : List.of(up, active, limitHere, connections, failures, sent, received, checkUp, checks, checkFailures)) {
      meter.publish();
    }
  }
}
