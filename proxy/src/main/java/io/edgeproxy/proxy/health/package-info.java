/**
 * Active health checks: every POP probes the backends of each app that has a row in routing.db's
 * {@code health_checks} table (a TCP connect, or an HTTP GET answered 2xx/3xx) and takes a backend
 * out of its own routing after {@code fall} consecutive failures, bringing it back after
 * {@code rise} consecutive successes. Verdicts stay on this POP ({@code BackendLoad.setCheckFailing});
 * routing.db is never written.
 *
 * <p>Starting points: {@link io.edgeproxy.proxy.health.ActiveHealthChecker} (lifecycle, follows
 * routing snapshots, the read-only view), {@code CheckTarget} (one backend's schedule and counters),
 * {@code HealthProbe} (one TCP or HTTP probe on Netty).
 */
@NullMarked
package io.edgeproxy.proxy.health;

import org.jspecify.annotations.NullMarked;
