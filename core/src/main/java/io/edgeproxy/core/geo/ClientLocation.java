package io.edgeproxy.core.geo;

import org.jspecify.annotations.Nullable;

/**
 * Where a client is, as far as GeoIP can tell: an ISO country and the region it maps to. Both are
 * null for loopback, private and unknown addresses.
 */
public record ClientLocation(@Nullable String country, @Nullable String region) {
  public static final ClientLocation UNKNOWN = new ClientLocation(null, null);

  public boolean isKnown() {
    return country != null || region != null;
  }
}
