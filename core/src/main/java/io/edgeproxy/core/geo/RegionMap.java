package io.edgeproxy.core.geo;

import static java.util.Objects.requireNonNull;

import java.util.Collections;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * Country (ISO 3166 alpha-2) to region code, and the set of regions that exist.
 *
 * <p>The default is the original's four regions (sa, us, eu, ap) with the full country table from
 * {@code shared/reference/geoip.md}; operators override single countries or define their own
 * regions in routing.db's {@code region_countries} table ({@link #withOverrides(Map)}). Immutable.
 */
public final class RegionMap {
  private static final RegionMap DEFAULT = new RegionMap(DefaultRegions.countryToRegion());

  private final Map<String, String> countryToRegion;
  private final Set<String> regions;

  private RegionMap(Map<String, String> countryToRegion) {
    this.countryToRegion = Map.copyOf(countryToRegion);
    this.regions = Collections.unmodifiableSet(new TreeSet<>(countryToRegion.values()));
  }

  /** The original's sa/us/eu/ap map. */
  public static RegionMap defaults() {
    return DEFAULT;
  }

  /**
   * This map with {@code overrides} (country to region) laid over it. A region named only in the
   * overrides becomes a known region.
   */
  public RegionMap withOverrides(Map<String, String> overrides) {
    if (overrides.isEmpty()) {
      return this;
    }
    Map<String, String> merged = new HashMap<>(countryToRegion);
    overrides.forEach((country, region) -> merged.put(normalizeCountry(country), normalizeRegion(region)));
    return new RegionMap(merged);
  }

  /** The region of {@code country}, or null when the country is unknown or null. */
  public @Nullable String regionOf(@Nullable String country) {
    return country == null ? null : countryToRegion.get(country);
  }

  /** True if some country maps to {@code region}. */
  public boolean isKnownRegion(String region) {
    return regions.contains(region);
  }

  /** Known region codes, sorted. */
  public Set<String> regions() {
    return regions;
  }

  public static String normalizeCountry(String country) {
    return requireNonNull(country, "country").trim().toUpperCase(Locale.ROOT);
  }

  public static String normalizeRegion(String region) {
    return requireNonNull(region, "region").trim().toLowerCase(Locale.ROOT);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof RegionMap other && other.countryToRegion.equals(countryToRegion);
  }

  @Override
  public int hashCode() {
    return countryToRegion.hashCode();
  }
}
