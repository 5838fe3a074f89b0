package io.edgeproxy.core.config;

import java.nio.file.Path;
import org.jspecify.annotations.Nullable;

/**
 * GeoIP.
 *
 * @param databasePath an operator's GeoLite2/GeoIP2 Country file, or null for the embedded
 *     database (EDGEPROXY_GEOIP_PATH). Default: null
 */
public record GeoConfig(@Nullable Path databasePath) {}
