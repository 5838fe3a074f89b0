/**
 * Client affinity: bindings of (app, client IP) to a backend with a sliding TTL.
 *
 * <p>Starting points: {@link io.edgeproxy.core.affinity.ClientBindings}.
 */
@NullMarked
package io.edgeproxy.core.affinity;

import org.jspecify.annotations.NullMarked;
