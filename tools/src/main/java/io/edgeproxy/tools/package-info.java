/**
 * The composition root: {@link io.edgeproxy.tools.EdgeNode} wires one appliance node in a visible
 * order; {@link io.edgeproxy.tools.EdgeMain} is the {@code edgeproxy} command's entry point.
 *
 * <p>Starting points: {@link io.edgeproxy.tools.EdgeNode#start}.
 */
@NullMarked
package io.edgeproxy.tools;

import org.jspecify.annotations.NullMarked;
