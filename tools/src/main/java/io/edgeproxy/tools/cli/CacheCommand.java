package io.edgeproxy.tools.cli;

import io.edgeproxy.core.edge.CachePurge;
import io.edgeproxy.sql.CachePurges;
import io.edgeproxy.sql.RoutingDb;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code edgeproxy cache}: the edge cache of apps in HTTP mode. */
@Command(name = "cache", mixinStandardHelpOptions = true, description = "The edge cache (apps.cache = 1).")
public final class CacheCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code edgeproxy cache purge APP [PATH | --prefix P | --tag T]}. */
  @Command(name = "purge", mixinStandardHelpOptions = true,
      description = {"Drop an app's cached responses on every POP: all of them, one path (every query of it, or the exact",
          "path?query given), a path prefix, or a tag (Surrogate-Key / Cache-Tag). Written to routing.db as a row",
          "that replicates; a POP that is cut off applies it when it catches up."})
  static final class Purge implements Callable<Integer> {
    private final Map<String, String> env;

    @Spec CommandSpec spec;

    @Parameters(index = "0", description = "The app.")
    String app;

    @Parameters(index = "1", arity = "0..1", description = "A path, '/...' (with a query: that URL only).")
    String path;

    @Option(names = "--prefix", description = "Every path that starts with this.")
    String prefix;

    @Option(names = "--tag", description = "Every response tagged so by Surrogate-Key or Cache-Tag.")
    String tag;

    @Option(names = "--db", description = "routing.db to write (default: EDGEPROXY_DB_PATH, else ./routing.db).")
    Path db;

    Purge(Map<String, String> env) {
      this.env = env;
    }

    @Override
    public Integer call() {
      int given = (this.path != null ? 1 : 0) + (prefix != null ? 1 : 0) + (tag != null ? 1 : 0);
      if (given > 1) {
        spec.commandLine().getErr().println("edgeproxy cache purge: give one of PATH, --prefix or --tag (none: all of the app)");
        return 2;
      }
      CachePurge.Kind kind = this.path != null ? CachePurge.Kind.PATH : prefix != null ? CachePurge.Kind.PREFIX
          : tag != null ? CachePurge.Kind.TAG : CachePurge.Kind.ALL;
      String value = this.path != null ? this.path : prefix != null ? prefix : tag != null ? tag : "";
      Path file = db != null ? db : Path.of(env.getOrDefault("EDGEPROXY_DB_PATH", "routing.db"));
      try (RoutingDb routing = RoutingDb.open(file)) {
        CachePurge purge = new CachePurges(routing).add(app, kind, value, System.currentTimeMillis());
        spec.commandLine().getOut().println(purge.id());
        spec.commandLine().getErr().println("purge " + purge.id() + " of app '" + app + "' (" + kind.column()
            + (value.isEmpty() ? "" : " " + value) + ") written to " + file + "; every POP applies it as it replicates.");
        return 0;
      } catch (IllegalArgumentException e) {
        spec.commandLine().getErr().println("edgeproxy cache purge: " + e.getMessage());
        return 2;
      }
    }
  }

  /** {@code edgeproxy cache stats [APP]}: the local agent's counters. */
  @Command(name = "stats", mixinStandardHelpOptions = true,
      description = "Show this POP's edge cache by app: hits, misses, hit ratio, stale answers, collapsed waits, stored, purged.")
  static final class Stats implements Callable<Integer> {
    @Spec CommandSpec spec;

    @Parameters(index = "0", arity = "0..1", description = "Only this app.")
    String app;

    @picocli.CommandLine.Mixin AdminQuery query;

    @Override
    public Integer call() throws java.io.IOException {
      return query.show(spec, "/v1/cache", this::print);
    }

    private void print(java.io.PrintWriter out, com.fasterxml.jackson.databind.JsonNode s) {
      if (!s.path("enabled").asBoolean()) {
        out.println("the edge cache is off on this POP (it needs EDGEPROXY_TLS_ENABLED; apps turn it on with apps.cache = 1)");
        return;
      }
      out.printf("%d entries, %d bytes in memory%n", s.path("entries").asLong(), s.path("bytes").asLong());
      com.fasterxml.jackson.databind.JsonNode disk = s.path("disk");
      if (!disk.isMissingNode()) {
        out.printf("%d entries, %d bytes on disk; %d failed writes%s%n", disk.path("entries").asLong(), disk.path("bytes").asLong(),
            disk.path("errors").asLong(), disk.path("lastError").isTextual() ? " (last: " + disk.path("lastError").asText() + ")" : "");
      }
      TextTable table = new TextTable("APP", "HITS", "MISSES", "HIT RATIO", "STALE", "COLLAPSED", "BYPASSED", "STORED", "PURGED",
          "EVICTED", "BYTES SERVED", "FROM DISK");
      for (com.fasterxml.jackson.databind.JsonNode a : s.path("apps")) {
        if (app != null && !app.equals(a.path("app").asText())) {
          continue;
        }
        table.add(a.path("app").asText(), a.path("hits").asText(), a.path("misses").asText(),
            String.format(java.util.Locale.ROOT, "%.1f %%", a.path("hitRatio").asDouble() * 100), a.path("stale").asText(),
            a.path("collapsed").asText(), a.path("bypassed").asText(), a.path("stored").asText(), a.path("purged").asText(),
            a.path("evicted").asText(), a.path("bytesFromCache").asText(), a.path("bytesFromDisk").asText());
      }
      table.print(out, "");
    }
  }
}
