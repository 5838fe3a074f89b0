package io.edgeproxy.core.routing;

import io.edgeproxy.core.edge.EdgeTables;
import io.edgeproxy.core.geo.RegionMap;
import java.util.List;
import java.util.Map;

/**
 * What a loader read from routing.db: the valid, non-deleted backends, the region map, the
 * per-app settings and the HTTPS edge's hostnames and certificates. Plain data;
 * {@link RoutingSnapshot#build} indexes it.
 */
public record RoutingData(List<Backend> backends, RegionMap regions, Map<String, AppSettings> apps, EdgeTables edge) {
  public RoutingData {
    backends = List.copyOf(backends);
    apps = Map.copyOf(apps);
    java.util.Objects.requireNonNull(edge, "edge");
  }

  public RoutingData(List<Backend> backends, RegionMap regions, Map<String, AppSettings> apps) {
    this(backends, regions, apps, EdgeTables.EMPTY);
  }

  /** The same data with other backends. */
  public RoutingData withBackends(List<Backend> value) {
    return new RoutingData(value, regions, apps, edge);
  }

  public static RoutingData of(List<Backend> backends) {
    return new RoutingData(backends, RegionMap.defaults(), Map.of());
  }
}
