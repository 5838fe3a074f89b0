package io.edgeproxy.core.geo;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;

/**
 * Turns a client address into a {@link ClientLocation}: loopback, private, link-local and other
 * non-routable addresses get no geo (never a call to an outside service, unlike the original's
 * checkip lookup); everything else goes through the {@link GeoResolver} and the {@link RegionMap}.
 */
public final class ClientLocator {
  private final GeoResolver resolver;

  public ClientLocator(GeoResolver resolver) {
    this.resolver = requireNonNull(resolver, "resolver");
  }

  /** The location of {@code address}; {@link ClientLocation#UNKNOWN} when there is none. */
  public ClientLocation locate(InetAddress address, RegionMap regions) {
    if (IpAddresses.isNonRoutable(address)) {
      return ClientLocation.UNKNOWN;
    }
    String country = resolver.countryOf(address);
    if (country == null) {
      return ClientLocation.UNKNOWN;
    }
    return new ClientLocation(country, regions.regionOf(country));
  }
}
