package io.edgeproxy.core.routing;

import io.edgeproxy.core.geo.RegionMap;
import java.util.List;
import java.util.Map;

/**
 * What a loader read from routing.db: the valid, non-deleted backends, the region map and the
 * per-app settings. Plain data; {@link RoutingSnapshot#build} indexes it.
 */
public record RoutingData(List<Backend> backends, RegionMap regions, Map<String, AppSettings> apps) {
  public RoutingData {
    backends = List.copyOf(backends);
    apps = Map.copyOf(apps);
  }

  public static RoutingData of(List<Backend> backends) {
    return new RoutingData(backends, RegionMap.defaults(), Map.of());
  }
}
