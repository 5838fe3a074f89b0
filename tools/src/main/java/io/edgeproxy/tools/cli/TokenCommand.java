package io.edgeproxy.tools.cli;

import io.edgeproxy.sql.ApiTokens;
import io.edgeproxy.sql.ClientTokens;
import io.edgeproxy.sql.RoutingDb;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code edgeproxy token}: bearer tokens of the discovery API, and client tokens of apps with edge auth. */
@Command(name = "token", mixinStandardHelpOptions = true,
    description = "Manage discovery API tokens and client tokens (edge auth).")
public final class TokenCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code edgeproxy token create --admin | --app A | --client A}. */
  @Command(name = "create", mixinStandardHelpOptions = true,
      description = {"Create a token and print it once. Only its SHA-256 is stored, in routing.db, so it replicates",
          "and works on every POP. An admin token manages every app; an app token only that app's backends;",
          "a client token passes requests to an app with apps.auth = 'token' through the edge, and nothing else."})
  static final class Create implements Callable<Integer> {
    private final Map<String, String> env;

    @Spec CommandSpec spec;

    @ArgGroup(multiplicity = "1")
    Scope scope;

    static final class Scope {
      @Option(names = "--admin", required = true, description = "A token for every app.")
      boolean admin;

      @Option(names = "--app", required = true, description = "A token for this app only.")
      String app;

      @Option(names = "--client", required = true, paramLabel = "APP",
          description = "A client token of this app: its requests pass the edge's auth; never the discovery API or a tunnel.")
      String client;
    }

    @Option(names = "--db", description = "routing.db to write (default: EDGEPROXY_DB_PATH, else ./routing.db).")
    Path db;

    @Option(names = "--note", defaultValue = "", description = "A note kept with the token's hash (who it is for).")
    String note;

    Create(Map<String, String> env) {
      this.env = env;
    }

    @Override
    public Integer call() {
      String app = scope.admin ? ApiTokens.ADMIN : scope.client != null ? scope.client : scope.app;
      if (!scope.admin && !app.matches("[A-Za-z0-9._-]{1,128}")) {
        spec.commandLine().getErr().println("edgeproxy token create: app '" + app
            + "' (expected: 1-128 letters, digits, '.', '_' or '-')");
        return 2;
      }
      Path path = db != null ? db : Path.of(env.getOrDefault("EDGEPROXY_DB_PATH", "routing.db"));
      try (RoutingDb routing = RoutingDb.open(path)) {
        long now = System.currentTimeMillis();
        String token = scope.client != null ? new ClientTokens(routing).create(app, note, now)
            : new ApiTokens(routing).create(app, note, now);
        spec.commandLine().getOut().println(token);
        String what = scope.admin ? "admin token" : scope.client != null ? "client token of app '" + app + "'"
            : "token for app '" + app + "'";
        spec.commandLine().getErr().println(what + " stored (hashed) in " + path + "; it is shown only now.");
      }
      return 0;
    }
  }
}
