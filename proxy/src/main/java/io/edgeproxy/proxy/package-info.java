/**
 * The L4 TCP proxy. Each accepted client is routed (affinity, geo-aware selection, slot
 * reservation), connected to its backend with a timeout and failover, then relayed byte for byte
 * with backpressure and half-close in both directions.
 *
 * <p>Starting points: {@link io.edgeproxy.proxy.ProxyServer}, {@code ProxyFrontendHandler} (pick,
 * connect, fail over), {@code RelayHandler} (relay, backpressure, half-close).
 */
@NullMarked
package io.edgeproxy.proxy;

import org.jspecify.annotations.NullMarked;
