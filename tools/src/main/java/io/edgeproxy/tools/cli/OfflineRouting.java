package io.edgeproxy.tools.cli;

import io.edgeproxy.core.geo.GeoResolver;
import io.edgeproxy.core.geo.MaxMindGeoResolver;
import io.edgeproxy.sql.LoadResult;
import io.edgeproxy.sql.Registrations;
import io.edgeproxy.sql.RegistrationLease;
import io.edgeproxy.sql.RoutingDb;
import io.edgeproxy.sql.RoutingDbException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What commands read without an agent: routing.db (as the agent loads it: bad rows skipped and
 * described) and the GeoIP database the agent would use.
 */
final class OfflineRouting {
  private OfflineRouting() {}

  /** routing.db's path: the flag, else EDGEPROXY_DB_PATH, else ./routing.db. */
  static Path dbPath(@Nullable Path flag, Map<String, String> env) {
    return flag != null ? flag : Path.of(env.getOrDefault("EDGEPROXY_DB_PATH", "routing.db"));
  }

  /** routing.db's rows and registration leases. */
  record Loaded(LoadResult result, Map<String, RegistrationLease> leases) {}

  /**
   * Reads routing.db like the agent does (opening migrates an older schema, as the agent would).
   *
   * @throws CommandFailure when the file does not exist or cannot be read
   */
  static Loaded load(Path path) {
    if (!Files.isRegularFile(path)) {
      throw new CommandFailure("no routing.db at " + path.toAbsolutePath()
          + " (expected: an existing file, named with --db PATH or EDGEPROXY_DB_PATH)");
    }
    try (RoutingDb db = RoutingDb.open(path)) {
      return new Loaded(db.load(io.edgeproxy.sql.LeaseRule.defaults(), System.currentTimeMillis()), new Registrations(db).all());
    } catch (RoutingDbException e) {
      throw new CommandFailure(e.getMessage());
    }
  }

  /** The GeoIP database of EDGEPROXY_GEOIP_PATH, else the embedded one. */
  static MaxMindGeoResolver geo(Map<String, String> env) {
    String file = env.getOrDefault("EDGEPROXY_GEOIP_PATH", "");
    try {
      return file.isBlank() ? MaxMindGeoResolver.embedded() : MaxMindGeoResolver.open(Path.of(file));
    } catch (UncheckedIOException e) {
      throw new CommandFailure(e.getCause().getMessage() + " (from EDGEPROXY_GEOIP_PATH)");
    }
  }

  static String describe(GeoResolver geo) {
    return geo instanceof MaxMindGeoResolver m ? m.describe() : geo.toString();
  }
}
