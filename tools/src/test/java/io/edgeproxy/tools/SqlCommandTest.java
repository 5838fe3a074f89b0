package io.edgeproxy.tools;

import static io.edgeproxy.core.testing.Sqlite3Cli.exec;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeproxy.sql.RoutingDb;
import io.edgeproxy.tools.cli.Cli;
import java.io.ByteArrayInputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code edgeproxy sql} against a real routing.db, one-shot and as a shell driven through its input stream. */
class SqlCommandTest {
  @TempDir Path dir;
  private Path db;

  record Result(int code, String out, String err) {}

  @BeforeEach
  void routingDb() {
    db = dir.resolve("routing.db");
    RoutingDb.open(db).close();
    exec(db, "INSERT INTO backends (id, app, region, country, wg_ip, port) VALUES ('web-1', 'web', 'sa', 'BR', '10.0.0.1', 8080),"
        + " ('api-1', 'api', 'eu', 'DE', '10.0.0.2', 9000);");
  }

  private Result sql(String input, String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    String[] all = new String[args.length + 3];
    all[0] = "sql";
    all[1] = "--db";
    all[2] = db.toString();
    System.arraycopy(args, 0, all, 3, args.length);
    int code = Cli.run(Map.of(), new ByteArrayInputStream(input.getBytes(StandardCharsets.UTF_8)),
        new PrintWriter(out), new PrintWriter(err), all);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void oneShotQueryPrintsRowsInTheChosenMode() throws Exception {
    assertThat(sql("", "SELECT id, port FROM backends ORDER BY id").out()).isEqualTo("api-1|9000\nweb-1|8080\n");
    Result json = sql("", "--json", "SELECT id, port FROM backends ORDER BY id");
    JsonNode rows = new ObjectMapper().readTree(json.out());
    assertThat(rows.get(1).path("id").asText()).isEqualTo("web-1");
    assertThat(rows.get(1).path("port").asInt()).isEqualTo(8080);
    assertThat(sql("", "--mode", "csv", "--headers", "SELECT id FROM backends WHERE id = 'web-1'").out()).isEqualTo("id\nweb-1\n");
  }

  @Test
  void everyDotCommandWorksInTheShell() throws Exception {
    Path script = dir.resolve("script.sql");
    Files.writeString(script, "SELECT 'from file';\n.mode list\n");
    Result r = sql(String.join("\n",
        ".help",
        ".tables",
        ".tables --all",
        ".schema apps",
        ".schema",
        ".mode",
        ".mode table",
        "SELECT id, app FROM backends",
        " WHERE id = 'web-1';",
        ".mode line",
        "SELECT port FROM backends WHERE id = 'api-1';",
        ".mode csv",
        ".headers on",
        "SELECT id FROM backends WHERE id = 'api-1';",
        ".headers off",
        ".read " + script,
        "SELECT count(*) FROM __edge_rows;",
        ".quit",
        "SELECT 'never runs';"));
    assertThat(r.err()).isEmpty();
    assertThat(r.code()).isZero();
    String out = r.out();
    assertThat(out).contains(".read FILE").contains("current output mode: list");
    String[] lines = out.split("\n");
    assertThat(lines).contains("acme_challenges   backends          health_checks     tunnels",
        "acme_orders       cache_purges      hostnames         wireguard_peers", "api_tokens        certificates      region_countries",
        "apps              client_tokens     registrations");
    assertThat(out).contains("__edge_pending").contains("CREATE TABLE apps (");
    assertThat(out.indexOf("CREATE TABLE backends")).isPositive();
    assertThat(out).doesNotContain("CREATE TABLE __edge_").doesNotContain("CREATE TRIGGER __edge_");
    assertThat(out).contains("| id    | app |\n+-------+-----+\n| web-1 | web |\n");
    assertThat(out).contains("port = 9000").contains("id\napi-1\n").contains("from file\n");
    assertThat(out).doesNotContain("never runs");
    assertThat(lines[lines.length - 1]).matches("\\d+");
  }

  @Test
  void aBadStatementPrintsSqlitesErrorAndTheShellGoesOn() {
    Result r = sql("SELEC 1;\nSELECT * FROM nope;\n.mode bogus\nSELECT 'still here';\n");
    assertThat(r.err()).contains("Error: near \"SELEC\": syntax error").contains("no such table: nope")
        .contains("unknown mode 'bogus' (expected: list|csv|json|table|line)");
    assertThat(r.out()).isEqualTo("still here\n");
    assertThat(r.code()).as("a script with errors fails").isEqualTo(1);
    assertThat(sql("", "SELECT * FROM nope").code()).isEqualTo(1);
  }

  @Test
  void writesAreRefusedUnlessWriteIsGiven() {
    Result refused = sql("UPDATE backends SET weight = 7 WHERE id = 'web-1';\n");
    assertThat(refused.err()).contains("attempt to write a readonly database").contains("--write");
    assertThat(exec(db, "SELECT weight FROM backends WHERE id = 'web-1';").strip()).isEqualTo("2");

    String pending = "SELECT count(*) FROM __edge_pending WHERE tbl = 'backends';";
    int before = Integer.parseInt(exec(db, pending).strip());
    Result written = sql("UPDATE backends SET weight = 7 WHERE id = 'web-1';\n", "--write");
    assertThat(written.code()).as(written.err()).isZero();
    assertThat(exec(db, "SELECT weight FROM backends WHERE id = 'web-1';").strip()).isEqualTo("7");
    assertThat(Integer.parseInt(exec(db, pending).strip())).as("change capture recorded the write").isEqualTo(before + 1);
  }

  @Test
  void usageErrorsExitTwoAndAMissingDatabaseExitsOne() {
    assertThat(sql("", "--mode", "xml", "SELECT 1").code()).isEqualTo(2);
    StringWriter err = new StringWriter();
    int code = Cli.run(Map.of(), new ByteArrayInputStream(new byte[0]), new PrintWriter(new StringWriter()), new PrintWriter(err),
        "sql", "--db", dir.resolve("absent.db").toString(), "SELECT 1");
    assertThat(code).isEqualTo(1);
    assertThat(err.toString()).contains("no routing.db at " + dir.resolve("absent.db").toAbsolutePath());
    assertThat(Files.exists(dir.resolve("absent.db"))).isFalse();
  }
}
