package io.edgeproxy.core.config;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;

/**
 * This POP.
 *
 * @param region region of the POP (EDGEPROXY_REGION). Default: sa
 * @param dbPath routing.db (EDGEPROXY_DB_PATH). Default: routing.db
 * @param dbReload how often routing.db is checked for other writers' changes. Default: 5 s
 * @param debug DEBUG logging. Default: false
 * @param logFormat how log lines are written: text, or one JSON object per line. Default: text
 * @param adminAddress the local admin endpoint (status, metrics), or null for none. Default: 127.0.0.1:8082
 */
public record NodeConfig(String region, Path dbPath, Duration dbReload, boolean debug, LogFormat logFormat,
    @Nullable InetSocketAddress adminAddress) {
  /** How log lines are written. */
  public enum LogFormat {
    TEXT, JSON
  }

  public NodeConfig {
    requireNonNull(region, "region");
    requireNonNull(dbPath, "dbPath");
    requireNonNull(dbReload, "dbReload");
    requireNonNull(logFormat, "logFormat");
  }
}
