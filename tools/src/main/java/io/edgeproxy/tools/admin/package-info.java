/**
 * The node's local admin endpoint: status and members as JSON, metrics as Prometheus text (one
 * class per part of the node, rows per backend, tunnel, peer and certificate through
 * {@link io.edgeproxy.tools.admin.MeterRows}).
 *
 * <p>Starting points: {@link io.edgeproxy.tools.admin.AdminServer}, {@link io.edgeproxy.tools.admin.NodeMetrics}.
 */
@NullMarked
package io.edgeproxy.tools.admin;

import org.jspecify.annotations.NullMarked;
