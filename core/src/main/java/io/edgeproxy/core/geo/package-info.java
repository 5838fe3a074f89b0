/**
 * Client geography: IP to country (embedded or operator MaxMind DB), country to region, and the rule that non-routable clients have no geo.
 *
 * <p>Starting points: {@link io.edgeproxy.core.geo.ClientLocator}, {@link io.edgeproxy.core.geo.MaxMindGeoResolver}, {@link io.edgeproxy.core.geo.RegionMap}.
 */
@NullMarked
package io.edgeproxy.core.geo;

import org.jspecify.annotations.NullMarked;
