package io.edgeproxy.tools.cli.sql;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code sqlite3}-style loop: statements may span lines and run once their {@code ;} arrives;
 * a line starting with {@code .} (between statements) is a dot command. A failing statement or
 * command prints its error and the loop goes on; {@link #errors()} counts them.
 */
final class SqlShell {
  static final String PROMPT = "edgeproxy> ";
  static final String CONTINUATION = "      ...> ";
  private static final int MAX_READ_DEPTH = 16;
  static final String HELP = """
      .exit, .quit             leave the shell
      .headers on|off          print column names (list, csv and table modes)
      .help                    this text
      .mode [MODE]             output mode: list (default), csv, json, table or line; without MODE, show it
      .read FILE               run the statements and dot commands in FILE
      .schema [--all] [NAME]   CREATE statements of everything (or of NAME, a LIKE pattern)
      .tables [--all] [NAME]   tables and views (NAME: a LIKE pattern)
      --all also shows edgeproxy's internal __edge_* tables and triggers (change capture,
      replication), which are hidden by default but can be queried like any other.
      Statements end with ';' and may span lines.""";

  private final SqlSession session;
  private final int depth;
  private final StringBuilder pending = new StringBuilder();
  private int errors;
  private boolean quit;

  SqlShell(SqlSession session) {
    this(session, 0);
  }

  private SqlShell(SqlSession session, int depth) {
    this.session = session;
    this.depth = depth;
  }

  /** Reads {@code source} to its end (or {@code .quit}); a statement left without {@code ;} still runs. */
  void run(LineSource source) {
    while (!quit) {
      String line = source.readLine(SqlStatements.hasContent(pending) ? CONTINUATION : PROMPT);
      if (line == null) {
        break;
      }
      accept(line);
    }
    if (SqlStatements.hasContent(pending)) {
      runStatement(pending.toString().strip());
    }
    pending.setLength(0);
  }

  /** Runs one line of input: a dot command, or more SQL. */
  void accept(String line) {
    if (!SqlStatements.hasContent(pending) && line.stripLeading().startsWith(".")) {
      pending.setLength(0);
      dotCommand(line.strip());
      return;
    }
    pending.append(line).append('\n');
    SqlStatements.Split split = SqlStatements.split(pending);
    for (String statement : split.statements()) {
      runStatement(statement);
    }
    pending.setLength(0);
    pending.append(split.rest());
  }

  int errors() {
    return errors;
  }

  boolean quit() {
    return quit;
  }

  private void runStatement(String sql) {
    if (!session.execute(sql)) {
      errors++;
    }
  }

  private void dotCommand(String line) {
    List<String> words = new ArrayList<>(Arrays.asList(line.split("\\s+")));
    String command = words.remove(0);
    try {
      switch (command) {
        case ".quit", ".exit" -> quit = true;
        case ".help" -> session.out().println(HELP);
        case ".tables" -> tables(words);
        case ".schema" -> schema(words);
        case ".mode" -> mode(words);
        case ".headers", ".header" -> headers(words);
        case ".read" -> read(words);
        default -> fail("unknown command " + command + " (expected one of: .exit .headers .help .mode .quit .read"
            + " .schema .tables; .help explains them)");
      }
    } catch (SQLException e) {
      fail(SqlSession.describe(e));
    }
    session.out().flush();
  }

  private void tables(List<String> args) throws SQLException {
    boolean all = args.remove("--all");
    List<String> names = session.tables(all, args.isEmpty() ? "%" : args.get(0));
    int width = names.stream().mapToInt(String::length).max().orElse(0) + 2;
    int perLine = Math.max(1, 80 / width);
    int lines = (names.size() + perLine - 1) / perLine;
    for (int l = 0; l < lines; l++) { // column by column, as sqlite3 lays them out
      StringBuilder row = new StringBuilder();
      for (int i = l; i < names.size(); i += lines) {
        row.append(ResultRenderer.pad(names.get(i), width, false));
      }
      session.out().println(row.toString().stripTrailing());
    }
  }

  private void schema(List<String> args) throws SQLException {
    boolean all = args.remove("--all");
    String like = args.isEmpty() ? "%" : args.get(0);
    session.schema(all || like.startsWith(SqlSession.INTERNAL_PREFIX), like).forEach(session.out()::println);
  }

  private void mode(List<String> args) {
    if (args.isEmpty()) {
      session.out().println("current output mode: " + session.mode.label());
      return;
    }
    OutputMode.parse(args.get(0)).ifPresentOrElse(m -> session.mode = m,
        () -> fail("unknown mode '" + args.get(0) + "' (expected: " + OutputMode.choices() + ")"));
  }

  private void headers(List<String> args) {
    String value = args.isEmpty() ? "" : args.get(0);
    switch (value) {
      case "on", "yes", "1" -> session.headers = true;
      case "off", "no", "0" -> session.headers = false;
      default -> fail(".headers '" + value + "' (expected: on or off)");
    }
  }

  private void read(List<String> args) {
    if (args.size() != 1) {
      fail(".read needs one file name (expected: .read FILE)");
      return;
    }
    if (depth >= MAX_READ_DEPTH) {
      fail(".read nested more than " + MAX_READ_DEPTH + " deep (does " + args.get(0) + " read itself?)");
      return;
    }
    Path file = Path.of(args.get(0));
    try (LineSource source = LineSource.plain(Files.newBufferedReader(file, StandardCharsets.UTF_8))) {
      SqlShell nested = new SqlShell(session, depth + 1);
      nested.run(source);
      errors += nested.errors;
    } catch (NoSuchFileException e) {
      fail("cannot open '" + file + "': no such file");
    } catch (IOException | java.io.UncheckedIOException e) {
      fail("cannot read '" + file + "': " + e.getMessage());
    }
  }

  private void fail(String message) {
    errors++;
    PrintWriter err = session.err();
    session.out().flush();
    err.println("Error: " + message);
    err.flush();
  }
}
