package io.edgeproxy.tools;

import static io.edgeproxy.core.testing.Sqlite3Cli.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.config.ApiConfig;
import io.edgeproxy.core.config.DnsConfig;
import io.edgeproxy.sql.ApiTokens;
import io.edgeproxy.sql.RoutingDb;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * DNS answers of whole nodes follow every way routing data changes: a registration through the
 * API (at once on its POP, by replication on the other), a hand edit with sqlite3 on one POP (by
 * replication on the other), a lease running out and a deregistration. Real dig, two nodes.
 */
@Timeout(120)
class DnsNodeIT {
  private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir Path dir;

  @Test
  void registrationsHandEditsLeasesAndDeregistrationsReachTheAnswersOfEveryPop() throws Exception {
    try (EdgeCluster cluster = EdgeCluster.start(dir, 2, c -> c.withDns(DnsConfig.forTest())
        .withApi(ApiConfig.forTest().withHeartbeatTtl(Duration.ofSeconds(3)).withDeregisterAfter(Duration.ofSeconds(600))))) {
      String token;
      try (RoutingDb db = RoutingDb.open(cluster.db(0))) {
        token = new ApiTokens(db).create("web", "test", System.currentTimeMillis());
      }
      EdgeNode a = cluster.node(0);
      EdgeNode b = cluster.node(1);
      assertThat(dig(a, "web.internal", "A")).contains("status: NXDOMAIN");

      HttpResponse<String> registered = api(a, "POST", "/api/v1/register", token,
          "{\"id\": \"web-1\", \"app\": \"web\", \"region\": \"sa\", \"ip\": \"10.1.2.3\", \"port\": 8080}");
      assertThat(registered.statusCode()).as(registered.body()).isEqualTo(201);
      // On the POP that took it: in the very next answer, no waiting.
      assertThat(digShort(a, "web.internal", "A")).containsExactly("10.1.2.3");
      assertThat(digShort(a, "_web._tcp.internal", "SRV")).singleElement().asString().endsWith(" 8080 web-1.vm.web.internal.");
      // On the other POP: through replication.
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
          .untilAsserted(() -> assertThat(digShort(b, "web.internal", "A")).containsExactly("10.1.2.3"));

      // A hand edit with sqlite3 on POP B shows in POP A's answers.
      exec(cluster.db(1), "INSERT INTO backends (id, app, region, country, wg_ip, port, weight, soft_limit, hard_limit)"
          + " VALUES ('web-hand', 'web', 'eu', 'DE', '10.1.2.4', 8080, 1, 10, 20);");
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
          .untilAsserted(() -> assertThat(digShort(a, "eu.web.internal", "A")).containsExactly("10.1.2.4"));

      // No heartbeat: past the TTL the registration is unhealthy on both POPs; `all.` still lists it.
      for (EdgeNode pop : List.of(a, b)) {
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
            .untilAsserted(() -> assertThat(digShort(pop, "web.internal", "A")).containsExactly("10.1.2.4"));
        assertThat(digShort(pop, "web-1.vm.web.internal", "A")).isEmpty();
        assertThat(digShort(pop, "all.vms.web.internal", "TXT")).singleElement().asString().contains("web-1 sa");
      }
      // A heartbeat brings it back at once where it arrives.
      assertThat(api(a, "POST", "/api/v1/heartbeat/web-1", token, null).statusCode()).isEqualTo(200);
      assertThat(digShort(a, "web-1.vm.web.internal", "A")).containsExactly("10.1.2.3");

      // Deregistered on A: a replicated tombstone, so B stops naming it anywhere.
      assertThat(api(a, "DELETE", "/api/v1/backends/web-1", token, null).statusCode()).isEqualTo(200);
      assertThat(dig(a, "web-1.vm.web.internal", "A")).contains("status: NXDOMAIN");
      await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50))
          .untilAsserted(() -> assertThat(dig(b, "web-1.vm.web.internal", "A")).contains("status: NXDOMAIN"));
      assertThat(digShort(b, "all.vms.web.internal", "TXT")).singleElement().asString().doesNotContain("web-1");
    }
  }

  private static HttpResponse<String> api(EdgeNode node, String method, String path, String token, String body)
      throws IOException, InterruptedException {
    HttpRequest.Builder request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + node.apiAddress().getPort() + path))
        .timeout(Duration.ofSeconds(10)).header("Authorization", "Bearer " + token)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
    return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
  }

  private static List<String> digShort(EdgeNode node, String name, String type) throws Exception {
    return dig(node, "+short", name, type).lines().filter(l -> !l.isBlank()).toList();
  }

  /** The real dig against the node's DNS server; its whole output. */
  private static String dig(EdgeNode node, String... args) throws Exception {
    List<String> command = new ArrayList<>(List.of(Commands.dig("@127.0.0.1", "-p", String.valueOf(node.dnsAddress().getPort()),
        "+time=2", "+tries=1")));
    command.addAll(List.of(args));
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).as("dig finished: " + command).isTrue();
    return out;
  }
}
