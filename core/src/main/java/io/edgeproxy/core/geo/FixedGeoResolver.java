package io.edgeproxy.core.geo;

import java.net.InetAddress;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A fixed address-to-country table, for tests and demos that need a known answer. */
public final class FixedGeoResolver implements GeoResolver {
  private final Map<InetAddress, String> table;

  public FixedGeoResolver(Map<InetAddress, String> table) {
    this.table = Map.copyOf(table);
  }

  public static FixedGeoResolver empty() {
    return new FixedGeoResolver(Map.of());
  }

  @Override
  public @Nullable String countryOf(InetAddress address) {
    return table.get(address);
  }
}
