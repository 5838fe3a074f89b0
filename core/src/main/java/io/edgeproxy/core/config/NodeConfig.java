package io.edgeproxy.core.config;

import static java.util.Objects.requireNonNull;

import java.nio.file.Path;
import java.time.Duration;

/**
 * This POP.
 *
 * @param region region of the POP (EDGEPROXY_REGION). Default: sa
 * @param dbPath routing.db (EDGEPROXY_DB_PATH). Default: routing.db
 * @param dbReload how often routing.db is checked for other writers' changes. Default: 5 s
 * @param debug DEBUG logging. Default: false
 */
public record NodeConfig(String region, Path dbPath, Duration dbReload, boolean debug) {
  public NodeConfig {
    requireNonNull(region, "region");
    requireNonNull(dbPath, "dbPath");
    requireNonNull(dbReload, "dbReload");
  }
}
