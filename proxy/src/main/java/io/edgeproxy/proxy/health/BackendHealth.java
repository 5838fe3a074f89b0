package io.edgeproxy.proxy.health;

import io.edgeproxy.core.routing.HealthCheck;
import java.net.InetSocketAddress;
import java.time.Instant;
import org.jspecify.annotations.Nullable;

/**
 * What this POP's active health check knows of one backend, at one moment: a read-only copy for
 * metrics and the status page.
 *
 * @param up false while the check holds the backend out of this POP's routing
 * @param lastResult the last probe's outcome ({@code "HTTP 200"}, {@code "refused"},
 *     {@code "timeout (connect, 1000 ms)"}, ...), or {@code "not checked yet"}
 * @param lastCheck when the last probe finished, or null before the first one
 * @param checksTotal probes finished since this POP started checking the backend
 * @param failuresTotal of those, the failed ones
 */
public record BackendHealth(
    String app,
    String backendId,
    InetSocketAddress address,
    HealthCheck.Type type,
    boolean up,
    long consecutiveSuccesses,
    long consecutiveFailures,
    String lastResult,
    @Nullable Instant lastCheck,
    long checksTotal,
    long failuresTotal) {}
