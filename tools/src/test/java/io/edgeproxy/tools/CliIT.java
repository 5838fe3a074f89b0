package io.edgeproxy.tools;

import static io.edgeproxy.core.testing.Sqlite3Cli.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeproxy.core.config.ApiConfig;
import io.edgeproxy.core.config.EdgeConfig;
import io.edgeproxy.core.geo.SocketAddresses;
import io.edgeproxy.core.testing.LocalPorts;
import io.edgeproxy.sql.ApiTokens;
import io.edgeproxy.sql.RoutingDb;
import io.edgeproxy.tools.cli.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The CLI's commands against a real routing.db and a running in-process agent (admin endpoint and discovery API). */
@Timeout(120)
class CliIT {
  private static final ObjectMapper JSON = new ObjectMapper();

  @TempDir Path dir;
  private Path db;
  private EdgeNode node;
  private String admin;
  private String api;
  private String token;

  record Result(int code, String out, String err) {
    JsonNode json() throws Exception {
      return JSON.readTree(out);
    }
  }

  @BeforeEach
  void agent() {
    EdgeConfig config = EdgeConfig.forTest(dir).withApi(ApiConfig.forTest());
    db = config.node().dbPath();
    try (RoutingDb routing = RoutingDb.open(db)) {
      token = new ApiTokens(routing).create(ApiTokens.ADMIN, "cli test", System.currentTimeMillis());
    }
    exec(db, "INSERT INTO backends (id, app, region, country, wg_ip, port, weight) VALUES"
        + " ('web-gru', 'web', 'sa', 'BR', '10.0.0.1', 8080, 2), ('web-fra', 'web', 'eu', 'DE', '10.0.0.2', 8080, 2),"
        + " ('web-off', 'web', 'sa', 'BR', '10.0.0.3', 8080, 2), ('api-1', 'api', 'us', 'US', '10.0.0.4', 9000, 1);"
        + " UPDATE backends SET healthy = 0 WHERE id = 'web-off';");
    node = EdgeNode.start(config);
    admin = SocketAddresses.format(node.adminAddress());
    api = "http://" + SocketAddresses.format(node.apiAddress());
  }

  @AfterEach
  void stop() {
    node.close();
  }

  private static Result cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Cli.run(Map.of(), new PrintWriter(out), new PrintWriter(err), args);
    return new Result(code, out.toString(), err.toString());
  }

  @Test
  void backendsListsRoutingDbWithTheAgentsLiveState() throws Exception {
    Result table = cli("backends", "--db", db.toString(), "--admin", admin);
    assertThat(table.code()).as(table.err()).isZero();
    assertThat(table.out()).contains("ACTIVE").contains("web-gru").contains("10.0.0.1:8080").contains("100/150");
    assertThat(table.err()).isEmpty();

    Result json = cli("backends", "--db", db.toString(), "--admin", admin, "--app", "web", "--json");
    JsonNode doc = json.json();
    assertThat(doc.path("live").asBoolean()).isTrue();
    assertThat(doc.path("backends").findValuesAsText("id")).containsExactly("web-fra", "web-gru", "web-off");
    assertThat(doc.path("backends").get(1).path("active").isInt()).isTrue();

    assertThat(cli("backends", "--db", db.toString(), "--admin", admin, "--unhealthy", "--json").json()
        .path("backends").findValuesAsText("id")).containsExactly("web-off");
    assertThat(cli("backends", "--db", db.toString(), "--admin", admin, "--region", "us", "--json").json()
        .path("backends").findValuesAsText("id")).containsExactly("api-1");
  }

  @Test
  void backendsWorksWithoutAnAgent() throws Exception {
    String nobody = LocalPorts.format(LocalPorts.tcp());
    Result r = cli("backends", "--db", db.toString(), "--admin", nobody, "--json");
    assertThat(r.code()).isZero();
    assertThat(r.json().path("live").asBoolean()).isFalse();
    assertThat(r.json().path("backends")).hasSize(4);
    assertThat(r.json().path("backends").get(0).path("active").isNull()).isTrue();
    Result missing = cli("backends", "--db", dir.resolve("nope.db").toString());
    assertThat(missing.code()).isEqualTo(1);
    assertThat(missing.err()).startsWith("edgeproxy backends: no routing.db at ");
  }

  @Test
  void routeExplainAsksTheAgentAndFallsBackToRoutingDb() throws Exception {
    Result live = cli("route", "explain", "--app", "web", "--ip", "200.160.2.3", "--admin", admin, "--json");
    assertThat(live.code()).as(live.err()).isZero();
    JsonNode e = live.json();
    assertThat(e.path("picked").asText()).isEqualTo("web-gru");
    assertThat(e.path("client").path("country").asText()).isEqualTo("BR");
    assertThat(e.path("source").asText()).isEqualTo("agent at " + admin);
    assertThat(e.path("candidates").findValuesAsText("id")).containsExactly("web-gru", "web-fra", "web-off");
    assertThat(e.path("candidates").get(2).path("excluded").asText()).isEqualTo("unhealthy in routing.db");

    Result text = cli("route", "explain", "--app", "web", "--ip", "200.160.2.3", "--admin", admin);
    assertThat(text.out()).contains("picks web-gru: tier 0").contains("*  web-gru").contains("from the agent at " + admin);

    Result offline = cli("route", "explain", "--app", "web", "--ip", "81.169.145.1", "--admin", LocalPorts.format(LocalPorts.tcp()),
        "--db", db.toString(), "--json");
    assertThat(offline.code()).as(offline.err()).isZero();
    assertThat(offline.json().path("source").asText()).isEqualTo("offline");
    assertThat(offline.json().path("note").asText()).contains("live connections").contains("not included");
    assertThat(offline.json().path("picked").asText()).isEqualTo("web-fra");

    assertThat(cli("route", "explain", "--app", "web", "--ip", "not-an-ip").code()).isEqualTo(2);
    assertThat(cli("route", "explain", "--ip", "1.2.3.4").code()).isEqualTo(2);
  }

  @Test
  void geoNamesCountryAndRegionAndSaysWhenThereIsNone() throws Exception {
    Result br = cli("geo", "200.160.2.3", "--json", "--db", db.toString());
    assertThat(br.code()).isZero();
    assertThat(br.json().path("country").asText()).isEqualTo("BR");
    assertThat(br.json().path("region").asText()).isEqualTo("sa");
    assertThat(br.json().path("routable").asBoolean()).isTrue();
    Result local = cli("geo", "192.168.1.10", "--db", db.toString());
    assertThat(local.out()).startsWith("192.168.1.10: no geo: a loopback, private");
    assertThat(cli("geo", "127.0.0.1", "--json", "--db", db.toString()).json().path("country").isNull()).isTrue();
    Result bad = cli("geo", "300.1.1.1");
    assertThat(bad.code()).isEqualTo(2);
    assertThat(bad.err()).contains("expected: an IPv4 or IPv6 address");
  }

  @Test
  void registerAndDeregisterGoThroughTheDiscoveryApi() throws Exception {
    Result registered = cli("register", "--api", api, "--token", token, "--id", "web-new", "--app", "web", "--region", "eu",
        "--ip", "10.0.0.9", "--port", "8081", "--country", "FR", "--weight", "3", "--meta", "zone=a");
    assertThat(registered.code()).as(registered.err()).isZero();
    assertThat(registered.out()).contains("web-new registered");
    await().atMost(Duration.ofSeconds(10)).until(() -> node.state().current().backends().stream().anyMatch(b -> b.id().equals("web-new")));
    JsonNode listed = cli("backends", "--db", db.toString(), "--admin", admin, "--json").json();
    JsonNode row = null;
    for (JsonNode b : listed.path("backends")) {
      if (b.path("id").asText().equals("web-new")) {
        row = b;
      }
    }
    assertThat(row).isNotNull();
    assertThat(row.path("weight").asInt()).isEqualTo(3);
    assertThat(row.path("lease").asText()).startsWith("expires in ");

    Result refused = cli("register", "--api", api, "--token", token, "--id", "x", "--app", "web", "--region", "mars",
        "--ip", "10.0.0.9", "--port", "8081");
    assertThat(refused.code()).isEqualTo(1);
    assertThat(refused.err()).contains("answered 400").contains("region");

    Result gone = cli("deregister", "web-new", "--api", api, "--token", token, "--json");
    assertThat(gone.code()).as(gone.err()).isZero();
    assertThat(JSON.readTree(gone.out()).path("deregistered").asBoolean()).isTrue();
    Result unknown = cli("deregister", "web-new", "--api", api, "--token", token);
    assertThat(unknown.code()).isEqualTo(1);
    assertThat(unknown.err()).contains("answered 404");

    Result noToken = cli("deregister", "web-gru", "--api", api);
    assertThat(noToken.code()).isEqualTo(2);
    assertThat(noToken.err()).contains("no API token (expected: --token TOKEN or EDGEPROXY_API_TOKEN");
    Result noApi = cli("deregister", "web-gru", "--api", "http://" + LocalPorts.format(LocalPorts.tcp()), "--token", token);
    assertThat(noApi.code()).isEqualTo(1);
    assertThat(noApi.err()).contains("nothing answers at http://127.0.0.1:");
  }

  @Test
  void tokensAreListedByIdAndARevokedTokenIsRefusedByTheApi() throws Exception {
    Result created = cli("token", "create", "--app", "web", "--note", "ci deploys", "--db", db.toString());
    assertThat(created.code()).as(created.err()).isZero();
    String web = created.out().trim();
    assertThat(cli("token", "create", "--client", "web", "--db", db.toString()).code()).isZero();
    String register = "--id web-tok --app web --region eu --ip 10.0.0.9 --port 8081";
    Result before = cli(("register --api " + api + " --token " + web + " " + register).split(" "));
    assertThat(before.code()).as(before.err()).isZero();

    Result table = cli("token", "list", "--db", db.toString());
    assertThat(table.out().lines().findFirst().orElseThrow()).startsWith("ID").contains("KIND", "APP", "CREATED", "NOTE");
    assertThat(table.out()).contains("admin", "cli test", "ci deploys", "client").doesNotContain(web).doesNotContain(token);
    JsonNode listed = cli("token", "list", "--json", "--db", db.toString()).json();
    assertThat(listed).hasSize(3);
    JsonNode webRow = null;
    for (JsonNode t : listed) {
      if (t.path("note").asText().equals("ci deploys")) {
        webRow = t;
      }
    }
    assertThat(webRow).isNotNull();
    assertThat(webRow.path("kind").asText()).isEqualTo("app");
    assertThat(webRow.path("app").asText()).isEqualTo("web");
    String id = webRow.path("id").asText();
    assertThat(id).hasSize(12).isEqualTo(ApiTokens.hash(web).substring(0, 12));

    assertThat(cli("token", "revoke", "12345", "--db", db.toString()).err()).contains("expected: a token id of 8-64 hex digits");
    Result none = cli("token", "revoke", "00000000", "--db", db.toString());
    assertThat(none.code()).isEqualTo(1);
    assertThat(none.err()).contains("no token with id 00000000");
    Result revoked = cli("token", "revoke", id.substring(0, 8), "--db", db.toString());
    assertThat(revoked.code()).as(revoked.err()).isZero();
    assertThat(revoked.out()).contains("revoked app token " + id + " of app 'web'");
    assertThat(cli("token", "list", "--json", "--db", db.toString()).json()).hasSize(2);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
      Result after = cli(("register --api " + api + " --token " + web + " " + register).split(" "));
      assertThat(after.code()).isEqualTo(1);
      assertThat(after.err()).contains("answered 401");
    });
    Result byToken = cli("token", "revoke", token, "--db", db.toString());
    assertThat(byToken.out()).as("revoked by the token itself").contains("revoked admin token");
  }

  @Test
  void statusAndMembersHaveTablesAndJsonAndSayWhenNoAgentRuns() throws Exception {
    assertThat(cli("status", "--admin", admin).out()).contains("routing.db").contains("4 backends");
    assertThat(cli("status", "--admin", admin, "--json").json().path("backends").asInt()).isEqualTo(4);
    assertThat(cli("members", "--admin", admin).out()).contains("replication is off");
    assertThat(cli("members", "--admin", admin, "--json").json().path("replication").asBoolean()).isFalse();
    String nobody = LocalPorts.format(LocalPorts.tcp());
    for (String command : new String[] {"status", "members"}) {
      Result r = cli(command, "--admin", nobody);
      assertThat(r.code()).isEqualTo(1);
      assertThat(r.err()).contains("no agent is running with its admin endpoint at " + nobody).contains("edgeproxy agent");
    }
  }

  @Test
  void helpVersionCompletionAndUsageErrors() {
    for (String command : new String[] {"sql", "backends", "geo", "register", "deregister", "completion", "status", "members"}) {
      Result help = cli(command, "--help");
      assertThat(help.code()).as(command).isZero();
      assertThat(help.out()).startsWith("Usage: edgeproxy " + command);
    }
    assertThat(cli("route", "explain", "--help").out()).startsWith("Usage: edgeproxy route explain");
    assertThat(cli("--version").out()).startsWith("edgeproxy ");
    Result completion = cli("completion");
    assertThat(completion.code()).isZero();
    assertThat(completion.out()).contains("complete -F").contains("sql").contains("backends").contains("--unhealthy");
    Result unknown = cli("backends", "--bogus");
    assertThat(unknown.code()).isEqualTo(2);
    assertThat(unknown.err()).contains("Unknown option: '--bogus'");
    assertThat(cli("register", "--id", "x").code()).isEqualTo(2);
    assertThat(cli("nonsense").code()).isEqualTo(2);
  }
}
