package io.edgeproxy.tools.cli;

import io.edgeproxy.sql.ApiTokens;
import io.edgeproxy.sql.ClientTokens;
import io.edgeproxy.sql.IssuedTokens;
import io.edgeproxy.sql.IssuedTokens.Revocation;
import io.edgeproxy.sql.RoutingDb;
import java.nio.file.Path;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
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
      Path path = OfflineRouting.dbPath(db, env);
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

  /** {@code edgeproxy token list}: every token by id, never the token itself (it is not stored). */
  @Command(name = "list", mixinStandardHelpOptions = true,
      description = {"List every token: its id (the start of its stored SHA-256), kind (admin, app, client), app,",
          "when it was created and its note. The tokens themselves are not stored and cannot be shown."})
  static final class ListTokens implements Callable<Integer> {
    private final Map<String, String> env;

    @Spec CommandSpec spec;

    @Option(names = "--db", description = "routing.db to read (default: EDGEPROXY_DB_PATH, else ./routing.db).")
    Path db;

    @Option(names = "--json", description = "Print JSON instead of a table.")
    boolean json;

    ListTokens(Map<String, String> env) {
      this.env = env;
    }

    @Override
    public Integer call() {
      List<IssuedTokens.Issued> tokens;
      try (RoutingDb routing = RoutingDb.open(OfflineRouting.dbPath(db, env))) {
        tokens = new IssuedTokens(routing).list();
      }
      if (json) {
        JsonOutput.print(spec.commandLine().getOut(), tokens.stream().map(TokenCommand::describe).toList());
        return 0;
      }
      TextTable table = new TextTable("ID", "KIND", "APP", "CREATED", "NOTE");
      for (IssuedTokens.Issued t : tokens) {
        table.add(t.id(), kindName(t), t.kind() == IssuedTokens.Kind.ADMIN ? "*" : t.scope(), Instant.ofEpochMilli(t.createdMs()),
            t.note().isEmpty() ? null : t.note());
      }
      table.print(spec.commandLine().getOut(), "");
      return 0;
    }
  }

  /** {@code edgeproxy token revoke ID}: deletes one token, on every POP once replicated. */
  @Command(name = "revoke", mixinStandardHelpOptions = true,
      description = {"Revoke one token, named by its id from 'token list' (at least 8 hex digits) or by the token",
          "itself. The row is deleted, and the delete replicates: the token stops working on every POP."})
  static final class Revoke implements Callable<Integer> {
    private final Map<String, String> env;

    @Spec CommandSpec spec;

    @Parameters(paramLabel = "ID_OR_TOKEN", description = "The token's id (or its start, 8+ hex digits), or the token.")
    String id;

    @Option(names = "--db", description = "routing.db to write (default: EDGEPROXY_DB_PATH, else ./routing.db).")
    Path db;

    Revoke(Map<String, String> env) {
      this.env = env;
    }

    @Override
    public Integer call() {
      Path path = OfflineRouting.dbPath(db, env);
      Revocation done;
      try (RoutingDb routing = RoutingDb.open(path)) {
        done = new IssuedTokens(routing).revoke(id);
      }
      var err = spec.commandLine().getErr();
      return switch (done) {
        case Revocation.Revoked r -> {
          spec.commandLine().getOut().println("revoked " + kindName(r.token()) + " token " + r.token().id()
              + (r.token().kind() == IssuedTokens.Kind.ADMIN ? "" : " of app '" + r.token().scope() + "'") + " in " + path);
          yield 0;
        }
        case Revocation.NotFound n -> {
          err.println("edgeproxy token revoke: no token " + shown(n.asked()) + " in " + path + " (see: edgeproxy token list)");
          yield 1;
        }
        case Revocation.Ambiguous a -> {
          err.println("edgeproxy token revoke: " + a.asked() + " is the start of " + a.matches().size() + " tokens' ids ("
              + String.join(", ", a.matches().stream().map(IssuedTokens.Issued::id).toList()) + "); give more of the id");
          yield 1;
        }
        case Revocation.BadId b -> {
          err.println("edgeproxy token revoke: '" + b.asked() + "' (expected: a token id of 8-64 hex digits, or a token"
              + " starting with edp_ or edc_)");
          yield 2;
        }
      };
    }
  }

  /** What was asked for, as it may be printed: a token itself never is (stderr ends up in CI logs). */
  private static String shown(String asked) {
    return asked.startsWith("edp_") || asked.startsWith("edc_")
        ? "matching the given token (id " + ApiTokens.hash(asked).substring(0, 12) + ")" : "with id " + asked;
  }

  private static String kindName(IssuedTokens.Issued token) {
    return token.kind().name().toLowerCase(java.util.Locale.ROOT);
  }

  private static Map<String, Object> describe(IssuedTokens.Issued t) {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("id", t.id());
    out.put("kind", kindName(t));
    out.put("app", t.kind() == IssuedTokens.Kind.ADMIN ? null : t.scope());
    out.put("created", Instant.ofEpochMilli(t.createdMs()).toString());
    out.put("note", t.note());
    return out;
  }
}
