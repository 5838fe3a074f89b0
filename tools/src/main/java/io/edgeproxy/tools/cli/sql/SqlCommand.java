package io.edgeproxy.tools.cli.sql;

import io.edgeproxy.sql.RoutingDb;
import io.edgeproxy.sql.RoutingDbException;
import io.edgeproxy.tools.cli.AdminClient;
import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code edgeproxy sql}: routing.db in a {@code sqlite3}-style shell, or one statement at a time. */
@Command(name = "sql", mixinStandardHelpOptions = true,
    description = "Query routing.db: run the SQL given as arguments, or read statements and dot commands (.tables,"
        + " .schema, .mode, .headers, .read, .help, .quit) from the terminal (with line editing and "
        + "history in ~/.edgeproxy_history) or from standard input. Read-only unless --write; with "
        + "--write, changes go through change capture and replicate to every POP.",
    footer = {"", "Examples:", "  edgeproxy sql \"SELECT id, app, healthy FROM backends\"",
        "  edgeproxy sql --write \"UPDATE backends SET weight = 0 WHERE id = 'web-gru-1'\"",
        "  edgeproxy sql --mode json < report.sql"})
public final class SqlCommand implements Callable<Integer> {
  private final Map<String, String> env;
  private final @Nullable InputStream in;

  @Spec CommandSpec spec;

  @Option(names = "--db", paramLabel = "PATH", description = "routing.db (default: EDGEPROXY_DB_PATH, else ./routing.db).")
  @Nullable Path db;

  @Option(names = "--write", description = "Open routing.db for writing (created and migrated if missing).")
  boolean write;

  @Option(names = "--mode", paramLabel = "MODE", defaultValue = "list",
      description = "Output mode: list, csv, json, table or line (default: ${DEFAULT-VALUE}).")
  String mode = "list";

  @Option(names = "--json", description = "Same as --mode json.")
  boolean json;

  @Option(names = "--admin", paramLabel = "HOST:PORT",
      description = "The admin endpoint of the agent running on this routing.db, asked for a write's receipt."
          + " Default: EDGEPROXY_ADMIN_ADDR or 127.0.0.1:8082.")
  @Nullable String admin;

  @Option(names = "--headers", description = "Print column names in list and csv modes.")
  boolean headers;

  @Parameters(paramLabel = "SQL", arity = "0..*",
      description = "Statements (or dot commands) to run, each argument on its own; none: read the terminal or standard input.")
  List<String> sql = List.of();

  /**
   * @param in standard input for tests; null means the process's own (a terminal gets JLine)
   */
  public SqlCommand(Map<String, String> env, @Nullable InputStream in) {
    this.env = env;
    this.in = in;
  }

  @Override
  public Integer call() {
    OutputMode outputMode = json ? OutputMode.JSON : OutputMode.parse(mode).orElseThrow(() -> new ParameterException(
        spec.commandLine(), "--mode '" + mode + "' (expected: " + OutputMode.choices() + ")"));
    Path path = db != null ? db : Path.of(env.getOrDefault("EDGEPROXY_DB_PATH", "routing.db"));
    PrintWriter out = spec.commandLine().getOut();
    PrintWriter err = spec.commandLine().getErr();
    if (!write && !Files.isRegularFile(path)) {
      err.println("edgeproxy sql: no routing.db at " + path.toAbsolutePath()
          + " (expected: an existing file, named with --db PATH or EDGEPROXY_DB_PATH; --write creates a new one)");
      return 1;
    }
    try {
      if (write) {
        RoutingDb.open(path).close(); // creates and migrates: change capture's triggers must be there
      }
      try (SqlSession session = SqlSession.open(path, write, out, err)) {
        session.mode = outputMode;
        session.headers = headers;
        session.afterWrite = () -> printReceipt(path, err);
        return sql.isEmpty() ? shell(session, path) : oneShot(session);
      }
    } catch (SQLException | RoutingDbException e) {
      err.println("edgeproxy sql: cannot open routing.db at " + path + ": " + SqlSession.describe(asSql(e)));
      return 1;
    }
  }

  private void printReceipt(Path path, PrintWriter err) {
    AdminClient.flushAndReport(AdminClient.address(admin, env), path, err, "edgeproxy sql");
  }

  private int oneShot(SqlSession session) {
    SqlShell shell = new SqlShell(session);
    for (String input : sql) {
      if (shell.quit()) {
        break;
      }
      shell.run(LineSource.plain(new BufferedReader(new StringReader(input))));
    }
    return shell.errors() == 0 ? 0 : 1;
  }

  private int shell(SqlSession session, Path path) {
    SqlShell shell = new SqlShell(session);
    try (LineSource source = openInput()) {
      if (source.interactive()) {
        session.out().println("edgeproxy sql: " + path.toAbsolutePath() + (session.writable()
            ? ", writable: changes replicate to every POP" : ", read-only (--write to change it)"));
        session.out().println("Enter .help for the dot commands; statements end with ';'.");
        session.out().flush();
      }
      shell.run(source);
      // As sqlite3: errors typed at a terminal were seen there; a script with errors fails.
      return source.interactive() || shell.errors() == 0 ? 0 : 1;
    }
  }

  private LineSource openInput() {
    if (in == null && Terminals.stdinIsTerminal()) {
      String home = env.getOrDefault("HOME", System.getProperty("user.home"));
      return TerminalLineSource.system(Path.of(home, ".edgeproxy_history"));
    }
    InputStream stream = in != null ? in : System.in;
    return LineSource.plain(new BufferedReader(new InputStreamReader(stream, StandardCharsets.UTF_8)));
  }

  private static SQLException asSql(Exception e) {
    return e instanceof SQLException s ? s : new SQLException(e.getMessage(), e);
  }
}
