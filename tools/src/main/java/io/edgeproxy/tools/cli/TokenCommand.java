package io.edgeproxy.tools.cli;

import io.edgeproxy.sql.ApiTokens;
import io.edgeproxy.sql.RoutingDb;
import java.nio.file.Path;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code edgeproxy token}: bearer tokens of the discovery API. */
@Command(name = "token", mixinStandardHelpOptions = true, description = "Manage discovery API tokens.")
public final class TokenCommand implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(spec.commandLine().getOut());
  }

  /** {@code edgeproxy token create --admin | --app A}. */
  @Command(name = "create", mixinStandardHelpOptions = true,
      description = {"Create a token and print it once. Only its SHA-256 is stored, in routing.db, so it replicates",
          "and works on every POP. An admin token manages every app; an app token only that app's backends."})
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
      String scopeName = scope.admin ? ApiTokens.ADMIN : scope.app;
      if (!scope.admin && !scope.app.matches("[A-Za-z0-9._-]{1,128}")) {
        spec.commandLine().getErr().println("edgeproxy token create: app '" + scope.app
            + "' (expected: 1-128 letters, digits, '.', '_' or '-')");
        return 2;
      }
      Path path = db != null ? db : Path.of(env.getOrDefault("EDGEPROXY_DB_PATH", "routing.db"));
      try (RoutingDb routing = RoutingDb.open(path)) {
        String token = new ApiTokens(routing).create(scopeName, note, System.currentTimeMillis());
        spec.commandLine().getOut().println(token);
        spec.commandLine().getErr().println((scope.admin ? "admin token" : "token for app '" + scope.app + "'")
            + " stored (hashed) in " + path + "; it is shown only now.");
      }
      return 0;
    }
  }
}
