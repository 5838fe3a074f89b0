package io.edgeproxy.tools.admin;

import io.edgeproxy.proxy.EdgeStats;
import io.edgeproxy.tools.EdgeNode;
import io.edgeproxy.tools.tls.EdgeCertificateStore;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import java.util.function.ToDoubleFunction;

/**
 * The HTTPS edge: connections by outcome, ACME orders, and per name served
 * ({@code name}, {@code source} labels) when its certificate expires
 * ({@code edge_tls_certificate_expiry_timestamp_seconds}, Unix time).
 */
final class HttpsEdgeMetrics {
  private final MeterRows expiry;

  HttpsEdgeMetrics(MeterRegistry registry, EdgeNode node, Tags pop) {
    counter(registry, node, pop, "accepted", "Connections accepted by the HTTPS edge", EdgeStats::acceptedTotal);
    counter(registry, node, pop, "passthrough", "Connections passed through by SNI", EdgeStats::passthroughTotal);
    counter(registry, node, pop, "terminated", "Handshakes completed for a routed app", EdgeStats::terminatedTotal);
    counter(registry, node, pop, "no.app", "Handshakes for a name no app is served at (421 or close)", EdgeStats::noAppTotal);
    counter(registry, node, pop, "not.tls", "Connections whose first bytes were no TLS ClientHello, or a malformed one",
        EdgeStats::notTlsTotal);
    counter(registry, node, pop, "hello.timeouts", "Connections closed for no ClientHello or handshake in time",
        EdgeStats::helloTimeoutsTotal);
    counter(registry, node, pop, "handshake.failures", "TLS handshakes that failed", EdgeStats::handshakeFailuresTotal);
    counter(registry, node, pop, "tunnel.refused", "Connections offering ALPN edgeproxy-tunnel, refused", EdgeStats::tunnelRefusedTotal);
    FunctionCounter.builder("edge.acme.issued", node, n -> n.acme() == null ? 0 : n.acme().issuedTotal()).tags(pop)
        .description("Certificates this POP obtained by ACME").register(registry);
    FunctionCounter.builder("edge.acme.failures", node, n -> n.acme() == null ? 0 : n.acme().failuresTotal()).tags(pop)
        .description("ACME orders of this POP that failed (each backs off, see edgeproxy status)").register(registry);
    expiry = MeterRows.gauge(registry, "edge.tls.certificate.expiry.timestamp", "When the certificate served for the name"
        + " expires (Unix time); source: table (edgeproxy tls add, ACME), directory (EDGEPROXY_TLS_CERTS_DIR) or default", "seconds");
  }

  private static void counter(MeterRegistry registry, EdgeNode node, Tags pop, String name, String description,
      ToDoubleFunction<EdgeStats> value) {
    FunctionCounter.builder("edge.https." + name, node, n -> value.applyAsDouble(n.proxy().edgeStats())).tags(pop)
        .description(description).register(registry);
  }

  void refresh(EdgeNode node) {
    EdgeCertificateStore certificates = node.certificates();
    if (certificates != null) {
      for (EdgeCertificateStore.ServedName served : certificates.servedNames()) {
        expiry.row(Tags.of("name", served.name(), "source", served.source()), served.notAfter().getEpochSecond());
      }
    }
    expiry.publish();
  }
}
