/**
 * routing.db: schema and migrations (resources {@code db/migration}), row validation, and the
 * loader that turns the database into routing snapshots. The only module that speaks SQL.
 *
 * <p>Starting points: {@link io.edgeproxy.sql.RoutingDb#open}, {@link io.edgeproxy.sql.RoutingReloader}.
 */
@NullMarked
package io.edgeproxy.sql;

import org.jspecify.annotations.NullMarked;
