package io.edgeproxy.tools;

import static io.edgeproxy.core.testing.Sqlite3Cli.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.edgeproxy.core.geo.SocketAddresses;
import io.edgeproxy.core.testing.LocalPorts;
import io.edgeproxy.tools.cli.Cli;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The admin endpoint over real HTTP (curl), and the CLI commands that read it. */
@Timeout(120)
class AdminIT {
  @TempDir Path dir;

  private static String curl(String url) throws Exception {
    Process p = new ProcessBuilder("curl", "-s", "--max-time", "10", url).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(20, TimeUnit.SECONDS)).isTrue();
    return out;
  }

  private static String[] cli(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    int code = Cli.run(Map.of(), new PrintWriter(out), new PrintWriter(err), args);
    return new String[] {String.valueOf(code), out.toString(), err.toString()};
  }

  @Test
  void statusMembersAndMetricsShowTheClusterAndItsLag() throws Exception {
    try (EdgeCluster cluster = EdgeCluster.start(dir, 2)) {
      exec(cluster.db(0), "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('b1', 'web', 'sa', '10.0.0.1', 80);");
      await().atMost(Duration.ofSeconds(10)).until(() -> cluster.node(1).state().current().backends().size() == 1);
      String admin = SocketAddresses.format(cluster.node(1).adminAddress());

      JsonNode status = new ObjectMapper().readTree(curl("http://" + admin + "/v1/status"));
      assertThat(status.path("backends").asInt()).isEqualTo(1);
      assertThat(status.path("replication").path("nodeId").asText()).isEqualTo("pop-1");
      assertThat(status.path("replication").path("peers").get(0).path("nodeId").asText()).isEqualTo("pop-0");
      assertThat(status.path("replication").path("peers").get(0).path("connected").asBoolean()).isTrue();

      JsonNode members = new ObjectMapper().readTree(curl("http://" + admin + "/v1/members"));
      assertThat(members.path("members").findValuesAsText("nodeId")).containsExactlyInAnyOrder("pop-0", "pop-1");

      String metrics = curl("http://" + admin + "/metrics");
      assertThat(metrics).contains("edge_snapshot_version{").contains("edge_replication_applied_total")
          .contains("edge_replication_peer_lag_seconds{peer=\"pop-0\"}").contains("edge_routing_backends{");

      String[] shown = cli("status", "--admin", admin);
      assertThat(shown[0]).isEqualTo("0");
      assertThat(shown[1]).contains("replication node pop-1 in cluster test-cluster").contains("pop-0").contains("snapshot v")
          .contains("no active health checks");
      String[] listed = cli("members", "--admin", admin);
      assertThat(listed[1]).contains("pop-0").contains("pop-1").contains("self");
      String[] asJson = cli("status", "--admin", admin, "--json");
      assertThat(new ObjectMapper().readTree(asJson[1]).path("replication").path("nodeId").asText()).isEqualTo("pop-1");
      assertThat(curl("http://" + admin + "/nope")).contains("expected: /v1/status, /v1/members, /metrics");
    }
  }

  @Test
  void theCliSaysClearlyWhenNoAgentIsRunning() throws Exception {
    int port = LocalPorts.tcp().getPort();
    String[] result = cli("status", "--admin", "127.0.0.1:" + port);
    assertThat(result[0]).isEqualTo("1");
    assertThat(result[2]).startsWith("edgeproxy status: no agent is running with its admin endpoint at 127.0.0.1:" + port);
  }
}
