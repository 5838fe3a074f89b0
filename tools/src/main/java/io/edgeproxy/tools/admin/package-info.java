/**
 * The node's local admin endpoint: status and members as JSON, metrics as Prometheus text.
 *
 * <p>Starting points: {@link io.edgeproxy.tools.admin.AdminServer}.
 */
@NullMarked
package io.edgeproxy.tools.admin;

import org.jspecify.annotations.NullMarked;
