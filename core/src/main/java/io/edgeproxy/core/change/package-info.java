/**
 * The replication model shared by the sql and replication modules: whole-row changes, their
 * versions (hybrid logical clock plus node id), and the clock itself. Pure values; no I/O.
 *
 * <p>Starting points: {@link io.edgeproxy.core.change.RowChange}, {@link io.edgeproxy.core.change.HybridClock}.
 */
@NullMarked
package io.edgeproxy.core.change;

import org.jspecify.annotations.NullMarked;
