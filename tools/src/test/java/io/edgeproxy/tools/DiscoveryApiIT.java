package io.edgeproxy.tools;

import static io.edgeproxy.core.testing.Sqlite3Cli.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeproxy.core.config.ApiConfig;
import io.edgeproxy.core.config.EdgeConfig;
import io.edgeproxy.sql.ApiTokens;
import io.edgeproxy.sql.RoutingDb;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The discovery API of a whole node, through a real HTTP client, with real backends behind the proxy. */
@Timeout(90)
class DiscoveryApiIT {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;
  private final TestSockets sockets = new TestSockets();

  @AfterEach
  void closeAll() throws Exception {
    sockets.close();
  }

  record Reply(int status, JsonNode json, String text) {}

  /** A node with the API on and two tokens: an admin one and one for app "web". */
  private final class Pop {
    final EdgeNode node;
    final String admin;
    final String web;
    final String base;

    Pop(EdgeConfig config) {
      try (RoutingDb db = RoutingDb.open(config.node().dbPath())) {
        ApiTokens tokens = new ApiTokens(db);
        admin = tokens.create(ApiTokens.ADMIN, "test admin", System.currentTimeMillis());
        web = tokens.create("web", "test web", System.currentTimeMillis());
      }
      node = EdgeNode.start(config);
      sockets.later(node);
      base = "http://127.0.0.1:" + node.apiAddress().getPort();
    }

    Reply call(String method, String path, String token, String body) throws Exception {
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(10))
          .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
      if (token != null) {
        b.header("Authorization", token.contains(" ") ? token : "Bearer " + token);
      }
      if (body != null) {
        b.header("Content-Type", "application/json");
      }
      HttpResponse<String> r = HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
      JsonNode json = null;
      if (r.headers().firstValue("content-type").orElse("").startsWith("application/json")) {
        json = JSON.readTree(r.body());
      }
      return new Reply(r.statusCode(), json, r.body());
    }

    Reply register(String token, String body) throws Exception {
      return call("POST", "/api/v1/register", token, body);
    }
  }

  private EdgeConfig apiConfig(Path home, Duration ttl, Duration deregisterAfter) {
    return EdgeConfig.forTest(home).withApi(ApiConfig.forTest().withHeartbeatTtl(ttl).withDeregisterAfter(deregisterAfter));
  }

  private static String registration(String id, int port) {
    return """
        {"id": "%s", "app": "web", "region": "sa", "ip": "127.0.0.1", "port": %d, "metadata": {"version": "1.2"}}
        """.formatted(id, port);
  }

  @Test
  void aCachePurgeIsARowScopedToItsAppAndABadOneIsRefusedWithTheReason() throws Exception {
    Pop pop = new Pop(apiConfig(dir, Duration.ofSeconds(60), Duration.ofSeconds(600)));
    Reply ok = pop.call("POST", "/api/v1/apps/web/purge", pop.web, "{\"prefix\": \"/img/\"}");
    assertThat(ok.status()).isEqualTo(202);
    assertThat(ok.json().get("kind").asText()).isEqualTo("prefix");
    Reply all = pop.call("POST", "/api/v1/apps/web/purge", pop.web, null);
    assertThat(all.status()).isEqualTo(202);
    assertThat(all.json().get("kind").asText()).isEqualTo("all");
    assertThat(pop.node.state().current().data().edge().purges()).extracting(io.edgeproxy.core.edge.CachePurge::id)
        .containsExactlyInAnyOrder(ok.json().get("id").asText(), all.json().get("id").asText());
    assertThat(pop.call("POST", "/api/v1/apps/api/purge", pop.web, "{}").status()).isEqualTo(403);
    assertThat(pop.call("POST", "/api/v1/apps/api/purge", pop.admin, "{\"tag\": \"t\"}").status()).isEqualTo(202);
    Reply bad = pop.call("POST", "/api/v1/apps/web/purge", pop.web, "{\"prefix\": \"img\"}");
    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().get("error").asText()).isEqualTo("value: 'img' (expected: a path, '/...')");
    assertThat(pop.call("POST", "/api/v1/apps/web/purge", pop.web, "{\"url\": \"/x\"}").json().get("error").asText())
        .contains("unknown field url");
    assertThat(pop.call("GET", "/api/v1/apps/web/purge", pop.web, null).status()).isEqualTo(405);
  }

  @Test
  void aRegisteredBackendIsRoutedAtOnceAndReRegisteringIsIdempotent() throws Exception {
    Pop pop = new Pop(apiConfig(dir, Duration.ofSeconds(60), Duration.ofSeconds(600)));
    int port = sockets.namedBackend("fresh");
    assertThat(TestSockets.ask(pop.node.proxyAddresses().get(0))).isEmpty(); // no backend yet: the client is closed

    Reply created = pop.register(pop.web, registration("fresh-1", port));
    assertThat(created.status()).isEqualTo(201);
    assertThat(created.json().get("registered").asBoolean()).isTrue();
    // No wait: the answer comes after the snapshot has the backend.
    assertThat(TestSockets.ask(pop.node.proxyAddresses().get(0))).isEqualTo("fresh");

    assertThat(pop.register(pop.web, registration("fresh-1", port)).status()).isEqualTo(201);
    Reply list = pop.call("GET", "/api/v1/backends?app=web", pop.web, null);
    assertThat(list.json().get("count").asInt()).isEqualTo(1);
    JsonNode backend = list.json().get("backends").get(0);
    assertThat(backend.get("id").asText()).isEqualTo("fresh-1");
    assertThat(backend.get("healthy").asBoolean()).isTrue();
    assertThat(backend.get("registered").asBoolean()).isTrue();
    assertThat(backend.get("metadata").get("version").asText()).isEqualTo("1.2");
    assertThat(exec(pop.node.config().node().dbPath(), "SELECT id, app, port, healthy FROM backends;"))
        .isEqualTo("fresh-1|web|" + port + "|1\n");
    String metrics = pop.call("GET", "/metrics", null, null).text();
    assertThat(metrics).containsPattern("edge_proxy_picks_total\\{[^}]*tier=\"2\"[^}]*\\} [1-9]");
    assertThat(metrics).containsPattern("edge_proxy_backend_received_bytes_total\\{app=\"web\",backend=\"fresh-1\"[^}]*\\} [1-9]");
    assertThat(metrics).containsPattern("edge_api_requests_total\\{[^}]*route=\"/api/v1/register\"[^}]*status=\"201\"");
  }

  @Test
  void aMissedHeartbeatStopsTrafficALongerSilenceHidesItAndAHeartbeatBringsItBackUntilItDeregisters() throws Exception {
    Pop pop = new Pop(apiConfig(dir, Duration.ofSeconds(1), Duration.ofSeconds(2)));
    int port = sockets.namedBackend("leased");
    InetSocketAddress proxy = pop.node.proxyAddresses().get(0);
    assertThat(pop.register(pop.admin, registration("leased-1", port)).status()).isEqualTo(201);
    assertThat(TestSockets.ask(proxy)).isEqualTo("leased");

    await().atMost(Duration.ofSeconds(5)).until(() -> TestSockets.ask(proxy).isEmpty());
    Reply one = pop.call("GET", "/api/v1/backends/leased-1", pop.web, null);
    assertThat(one.json().get("healthy").asBoolean()).isFalse();
    assertThat(one.json().get("lease_expires_in_secs").asLong()).isNegative();

    assertThat(pop.call("POST", "/api/v1/heartbeat/leased-1", pop.web, null).status()).isEqualTo(200);
    assertThat(TestSockets.ask(proxy)).isEqualTo("leased");

    // Silence past TTL + deregister-after: out of listings and routing, but nothing was written or
    // deleted (every POP derives it from the lease), so a later heartbeat undoes it.
    long stamp = pop.node.db().changeStamp();
    await().atMost(Duration.ofSeconds(10)).until(() -> pop.call("GET", "/api/v1/backends/leased-1", pop.web, null).status() == 404);
    assertThat(exec(pop.node.config().node().dbPath(), "SELECT count(*) FROM backends;")).isEqualTo("1\n");
    assertThat(pop.call("POST", "/api/v1/heartbeat/leased-1", pop.web, null).status()).isEqualTo(200);
    assertThat(TestSockets.ask(proxy)).isEqualTo("leased");
    assertThat(stamp).isNotZero();

    // A deregistration is a delete: final; a heartbeat then answers 404 so the backend registers again.
    assertThat(pop.call("DELETE", "/api/v1/backends/leased-1", pop.web, null).status()).isEqualTo(200);
    Reply after = pop.call("POST", "/api/v1/heartbeat/leased-1", pop.web, null);
    assertThat(after.status()).isEqualTo(404);
    assertThat(after.text()).contains("register again");
    assertThat(exec(pop.node.config().node().dbPath(), "SELECT count(*) FROM backends;")).isEqualTo("0\n");
  }

  @Test
  void heartbeatsKeepARegistrationAlivePastItsTtl() throws Exception {
    Pop pop = new Pop(apiConfig(dir, Duration.ofSeconds(1), Duration.ofSeconds(60)));
    int port = sockets.namedBackend("kept");
    assertThat(pop.register(pop.web, registration("kept-1", port)).status()).isEqualTo(201);
    long until = System.nanoTime() + Duration.ofMillis(2500).toNanos();
    while (System.nanoTime() < until) {
      assertThat(pop.call("POST", "/api/v1/heartbeat/kept-1", pop.web, null).status()).isEqualTo(200);
      assertThat(TestSockets.ask(pop.node.proxyAddresses().get(0))).isEqualTo("kept");
      Thread.sleep(200);
    }
  }

  @Test
  void deregisteringRemovesTheBackendEverywhereItIsRead() throws Exception {
    Pop pop = new Pop(apiConfig(dir, Duration.ofSeconds(60), Duration.ofSeconds(600)));
    int port = sockets.namedBackend("gone");
    assertThat(pop.register(pop.web, registration("gone-1", port)).status()).isEqualTo(201);
    assertThat(TestSockets.ask(pop.node.proxyAddresses().get(0))).isEqualTo("gone");
    Reply deleted = pop.call("DELETE", "/api/v1/backends/gone-1", pop.web, null);
    assertThat(deleted.status()).isEqualTo(200);
    assertThat(deleted.json().get("deregistered").asBoolean()).isTrue();
    assertThat(TestSockets.ask(pop.node.proxyAddresses().get(0))).isEmpty();
    assertThat(pop.call("GET", "/api/v1/backends/gone-1", pop.admin, null).status()).isEqualTo(404);
    assertThat(pop.call("DELETE", "/api/v1/backends/gone-1", pop.admin, null).status()).isEqualTo(404);
    assertThat(exec(pop.node.config().node().dbPath(), "SELECT count(*) FROM backends; SELECT count(*) FROM registrations;"))
        .isEqualTo("0\n0\n");
  }

  @Test
  void tokensAreRequiredAndScopedToTheirApp() throws Exception {
    Pop pop = new Pop(apiConfig(dir, Duration.ofSeconds(60), Duration.ofSeconds(600)));
    String apiBody = registration("api-1", 9000).replace("\"web\"", "\"api\"");
    // No token, a malformed header, an unknown token: 401 with a JSON reason and a challenge.
    for (String token : new String[] {null, "Basic abc", "Bearer", "edp_not-a-real-token"}) {
      Reply r = pop.register(token, apiBody);
      assertThat(r.status()).as("token %s", token).isEqualTo(401);
      assertThat(r.json().get("error").asText()).contains("token");
    }
    assertThat(pop.call("GET", "/api/v1/backends", null, null).status()).isEqualTo(401);
    assertThat(pop.call("GET", "/api/v1/members", "nope", null).status()).isEqualTo(401);

    // The web token cannot touch app api; the admin token can.
    Reply forbidden = pop.register(pop.web, apiBody);
    assertThat(forbidden.status()).isEqualTo(403);
    assertThat(forbidden.json().get("error").asText()).contains("app 'api'");
    assertThat(pop.register(pop.admin, apiBody).status()).isEqualTo(201);
    assertThat(pop.call("POST", "/api/v1/heartbeat/api-1", pop.web, null).status()).isEqualTo(403);
    assertThat(pop.call("DELETE", "/api/v1/backends/api-1", pop.web, null).status()).isEqualTo(403);
    assertThat(pop.call("GET", "/api/v1/backends/api-1", pop.web, null).status()).isEqualTo(403);
    assertThat(pop.call("GET", "/api/v1/backends?app=api", pop.web, null).status()).isEqualTo(403);
    assertThat(pop.call("GET", "/api/v1/route/explain?app=api&ip=1.2.3.4", pop.web, null).status()).isEqualTo(403);
    // Nor take over app api's backend id by registering it under its own app.
    assertThat(pop.register(pop.web, registration("api-1", 9000)).status()).isEqualTo(403);
    // Listing with the web token shows web's backends only.
    assertThat(pop.register(pop.web, registration("web-1", 9001)).status()).isEqualTo(201);
    JsonNode mine = pop.call("GET", "/api/v1/backends", pop.web, null).json();
    assertThat(mine.get("count").asInt()).isEqualTo(1);
    assertThat(pop.call("GET", "/api/v1/backends", pop.admin, null).json().get("count").asInt()).isEqualTo(2);
    assertThat(pop.call("DELETE", "/api/v1/backends/api-1", pop.admin, null).status()).isEqualTo(200);
    // Open paths stay open.
    assertThat(pop.call("GET", "/health", null, null).json().get("status").asText()).isEqualTo("ok");
    assertThat(pop.call("GET", "/metrics", null, null).text()).contains("edge_api_requests_total");
  }

  @Test
  void withoutAnyTokenTheApiRefusesWrites() throws Exception {
    EdgeNode node = EdgeNode.start(apiConfig(dir, Duration.ofSeconds(60), Duration.ofSeconds(600)));
    sockets.later(node);
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.apiAddress().getPort()
        + "/api/v1/register")).POST(HttpRequest.BodyPublishers.ofString(registration("x", 80))).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(401);
    assertThat(r.body()).contains("edgeproxy token create");
    assertThat(exec(node.config().node().dbPath(), "SELECT count(*) FROM backends;")).isEqualTo("0\n");
  }

  @Test
  void everyValidationProblemIsListedAndNothingIsWritten() throws Exception {
    Pop pop = new Pop(apiConfig(dir, Duration.ofSeconds(60), Duration.ofSeconds(600)));
    Reply bad = pop.register(pop.admin, """
        {"id": "", "app": "we b", "region": "mars", "ip": "example.com", "port": 99999, "country": "BRA",
         "weight": -1, "soft_limit": 200, "hard_limit": "x", "metadata": {"k": 1}, "colour": "red"}
        """);
    assertThat(bad.status()).isEqualTo(400);
    List<String> fields = new ArrayList<>();
    bad.json().get("problems").forEach(p -> fields.add(p.get("field").asText()));
    assertThat(fields).containsExactlyInAnyOrder("colour", "id", "app", "region", "ip", "port", "country", "weight",
        "hard_limit", "metadata.k");
    assertThat(bad.json().get("problems").toString()).contains("expected");

    Reply missing = pop.register(pop.admin, "{}");
    List<String> missingFields = new ArrayList<>();
    missing.json().get("problems").forEach(p -> missingFields.add(p.get("field").asText()));
    assertThat(missingFields).containsExactlyInAnyOrder("id", "app", "region", "ip", "port");

    Reply limits = pop.register(pop.admin, """
        {"id": "x", "app": "web", "region": "sa", "ip": "127.0.0.1", "port": 80, "soft_limit": 10, "hard_limit": 5}
        """);
    assertThat(limits.status()).as(limits.text()).isEqualTo(400);
    assertThat(limits.json().get("problems").get(0).get("field").asText()).isEqualTo("hard_limit");

    for (String malformed : new String[] {"{\"id\": ", "[1, 2]", "not json", ""}) {
      Reply r = pop.register(pop.admin, malformed);
      assertThat(r.status()).as(malformed).isEqualTo(400);
      assertThat(r.json().get("error").asText()).as(malformed).isNotBlank();
    }
    Reply huge = pop.register(pop.admin, "{\"id\": \"" + "x".repeat(70_000) + "\"}");
    assertThat(huge.status()).isEqualTo(413);
    assertThat(pop.call("GET", "/api/v1/backends?healthy=maybe", pop.admin, null).status()).isEqualTo(400);
    assertThat(pop.call("PUT", "/api/v1/register", pop.admin, "{}").status()).isEqualTo(405);
    assertThat(exec(pop.node.config().node().dbPath(), "SELECT count(*) FROM backends; SELECT count(*) FROM registrations;"))
        .isEqualTo("0\n0\n");
  }

  @Test
  void curlRegistersAndRouteExplainSaysWhyABackendIsPicked() throws Exception {
    Pop pop = new Pop(apiConfig(dir, Duration.ofSeconds(60), Duration.ofSeconds(600)));
    int sa = sockets.namedBackend("sa");
    int eu = sockets.namedBackend("eu");
    for (String[] b : new String[][] {{"web-sa", "sa", "BR", String.valueOf(sa)}, {"web-eu", "eu", "DE", String.valueOf(eu)}}) {
      Process curl = new ProcessBuilder("curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-X", "POST",
          "-H", "Authorization: Bearer " + pop.admin, "-H", "Content-Type: application/json",
          "--data", "{\"id\":\"" + b[0] + "\",\"app\":\"web\",\"region\":\"" + b[1] + "\",\"country\":\"" + b[2]
              + "\",\"ip\":\"127.0.0.1\",\"port\":" + b[3] + "}",
          pop.base + "/api/v1/register").redirectErrorStream(true).start();
      assertThat(new String(curl.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("201");
    }
    // A client in Germany (a DFN address) goes to the eu backend: same country.
    Reply explain = pop.call("GET", "/api/v1/route/explain?app=web&ip=194.94.127.1", pop.web, null);
    assertThat(explain.status()).isEqualTo(200);
    assertThat(explain.json().get("client").get("country").asText()).isEqualTo("DE");
    assertThat(explain.json().get("picked").asText()).isEqualTo("web-eu");
    JsonNode first = explain.json().get("candidates").get(0);
    assertThat(first.get("id").asText()).isEqualTo("web-eu");
    assertThat(first.get("tier").asInt()).isZero();
    assertThat(explain.json().get("outcome").asText()).contains("tier 0");
    // The loopback client has no geo: this POP's region (sa) first.
    assertThat(pop.call("GET", "/api/v1/route/explain?app=web&ip=127.0.0.1", pop.web, null).json().get("picked").asText())
        .isEqualTo("web-sa");
    exec(pop.node.config().node().dbPath(), "UPDATE backends SET healthy = 0 WHERE id = 'web-eu';");
    pop.node.reloadNow();
    JsonNode after = pop.call("GET", "/api/v1/route/explain?app=web&ip=194.94.127.1", pop.web, null).json();
    assertThat(after.get("picked").asText()).isEqualTo("web-sa");
    assertThat(after.get("candidates").get(1).get("excluded").asText()).contains("unhealthy");
    Reply badQuery = pop.call("GET", "/api/v1/route/explain?app=web&ip=nope", pop.web, null);
    assertThat(badQuery.status()).isEqualTo(400);
    Reply members = pop.call("GET", "/api/v1/members", pop.web, null);
    assertThat(members.json().get("members").get(0).get("self").asBoolean()).isTrue();
  }

  @Test
  void theOpenApiDocumentIsServedAndKeptInDocs() throws Exception {
    Pop pop = new Pop(apiConfig(dir, Duration.ofSeconds(60), Duration.ofSeconds(600)));
    Reply doc = pop.call("GET", "/api/v1/openapi.yaml", null, null);
    assertThat(doc.status()).isEqualTo(200);
    Path docs = Path.of(System.getProperty("user.dir")).getParent().resolve("docs/openapi.yaml");
    assertThat(doc.text()).isEqualTo(java.nio.file.Files.readString(docs));
    for (String path : List.of("/api/v1/register:", "/api/v1/heartbeat/{id}:", "/api/v1/backends:", "/api/v1/backends/{id}:",
        "/api/v1/members:", "/api/v1/route/explain:", "/api/v1/status:", "/api/v1/apps/{app}/purge:", "/health:", "/metrics:")) {
      assertThat(doc.text()).contains("  " + path);
    }
  }

  @Test
  void aRegistrationOnOnePopIsRoutedByAnotherAndExpiresThereWhenItsPopIsGone() throws Exception {
    int port = sockets.namedBackend("remote");
    try (EdgeCluster cluster = EdgeCluster.start(dir, 2,
        c -> c.withApi(ApiConfig.forTest().withHeartbeatTtl(Duration.ofSeconds(1)).withDeregisterAfter(Duration.ofSeconds(60))))) {
      String token;
      try (RoutingDb db = RoutingDb.open(cluster.db(0))) {
        token = new ApiTokens(db).create("web", "test", System.currentTimeMillis());
      }
      String base = "http://127.0.0.1:" + cluster.node(0).apiAddress().getPort();
      HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + "/api/v1/register"))
          .header("Authorization", "Bearer " + token)
          .POST(HttpRequest.BodyPublishers.ofString(registration("remote-1", port))).build(), HttpResponse.BodyHandlers.ofString());
      assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
      InetSocketAddress proxyB = cluster.node(1).proxyAddresses().get(0);
      await().atMost(Duration.ofSeconds(5)).until(() -> TestSockets.ask(proxyB).equals("remote"));
      // The token replicated too: node B's API accepts it.
      String baseB = "http://127.0.0.1:" + cluster.node(1).apiAddress().getPort();
      await().atMost(Duration.ofSeconds(5)).until(() -> HTTP.send(HttpRequest.newBuilder(URI.create(baseB + "/api/v1/backends"))
          .header("Authorization", "Bearer " + token).build(), HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
      // The POP that took the registration goes away; node B still judges the lease, from the replicated
      // lease end: nothing is written for it (the row keeps healthy = 1), so no POP's view can win over another's.
      cluster.node(0).close();
      await().atMost(Duration.ofSeconds(10)).until(() -> TestSockets.ask(proxyB).isEmpty());
      assertThat(exec(cluster.db(1), "SELECT healthy FROM backends WHERE id = 'remote-1';")).isEqualTo("1\n");
      assertThat(cluster.node(1).state().current().backend("remote-1").healthy()).isFalse();
    }
  }
}
