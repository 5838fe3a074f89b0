package io.edgeproxy.sql;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import org.jspecify.annotations.Nullable;

/**
 * A backend as registered through the discovery API: the routing columns of its backends row.
 * Validated by the API before it gets here.
 *
 * @param metadataJson the registration's metadata as a JSON object (stored as given)
 */
public record Registration(String id, String app, String region, @Nullable String country, InetAddress ip, int port,
    int weight, int softLimit, int hardLimit, String metadataJson) {
  public Registration {
    requireNonNull(id, "id");
    requireNonNull(app, "app");
    requireNonNull(region, "region");
    requireNonNull(ip, "ip");
    requireNonNull(metadataJson, "metadataJson");
  }
}
