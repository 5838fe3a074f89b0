package io.edgeproxy.core.geo;

import java.net.InetAddress;
import org.jspecify.annotations.Nullable;

/**
 * IP address to ISO country code. Implementations are thread-safe, non-blocking (no network, no
 * disk beyond a memory-mapped file) and return null for addresses they know nothing about.
 */
public interface GeoResolver {
  /** ISO 3166 alpha-2 country of {@code address} in upper case, or null if unknown. */
  @Nullable String countryOf(InetAddress address);
}
