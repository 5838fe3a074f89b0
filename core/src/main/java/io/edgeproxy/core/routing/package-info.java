/**
 * The routing model and backend selection. A {@link io.edgeproxy.core.routing.RoutingSnapshot} is an immutable, indexed view of routing.db; {@link io.edgeproxy.core.routing.GeoLoadBalancer} picks from it without I/O; {@link io.edgeproxy.core.routing.Router} adds affinity and slot reservation for one connection.
 *
 * <p>Starting points: {@link io.edgeproxy.core.routing.Router#route}, {@link io.edgeproxy.core.routing.GeoLoadBalancer#pick}, {@link io.edgeproxy.core.routing.RoutingState}.
 */
@NullMarked
package io.edgeproxy.core.routing;

import org.jspecify.annotations.NullMarked;
