/**
 * The replication model shared by the sql and replication modules: rows as causal length plus
 * per-column cells, each with its version (hybrid logical clock plus node id), the merge rule, the
 * clock itself, and the change sets a POP ships. Pure values; no I/O.
 *
 * <p>Starting points: {@link io.edgeproxy.core.change.RowChange}, {@link io.edgeproxy.core.change.Merge},
 * {@link io.edgeproxy.core.change.HybridClock}.
 */
@NullMarked
package io.edgeproxy.core.change;

import org.jspecify.annotations.NullMarked;
