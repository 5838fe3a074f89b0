package io.edgeproxy.tools;

import static io.edgeproxy.core.testing.Sqlite3Cli.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.config.EdgeConfig;
import io.edgeproxy.core.geo.SocketAddresses;
import io.edgeproxy.core.routing.BackendLoad;
import io.edgeproxy.proxy.health.BackendHealth;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Active health checks in a whole node: configured by a health_checks row, visible in metrics, never written back. */
@Timeout(60)
class HealthCheckNodeIT {
  private static final Duration WAIT = Duration.ofSeconds(10);

  @TempDir Path dir;
  private final List<AutoCloseable> closeLater = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeLater.size() - 1; i >= 0; i--) {
      closeLater.get(i).close();
    }
  }

  /** A backend on 127.0.0.1:{@code port} (0: any) that writes its name to every client and closes. */
  private ServerSocket namedBackend(String name, int port) throws IOException {
    ServerSocket server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
    closeLater.add(server);
    Thread.ofVirtual().start(() -> {
      while (!server.isClosed()) {
        try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
          out.write((name + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
          return;
        }
      }
    });
    return server;
  }

  private static long dataVersion(Connection c) throws Exception {
    try (Statement st = c.createStatement(); ResultSet rs = st.executeQuery("PRAGMA data_version")) {
      rs.next();
      return rs.getLong(1);
    }
  }

  private static String metrics(EdgeNode node) throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://" + SocketAddresses.format(node.adminAddress()) + "/metrics")).build(),
        HttpResponse.BodyHandlers.ofString());
    return response.body();
  }

  @Test
  void aHealthChecksRowTakesAFailingBackendOutOfThisPopAndBackWithoutWritingRoutingDb() throws Exception {
    EdgeConfig config = EdgeConfig.forTest(dir);
    Path db = config.node().dbPath();
    ServerSocket sick = namedBackend("sick", 0);
    int sickPort = sick.getLocalPort();
    ServerSocket good = namedBackend("good", 0);
    EdgeNode.start(config).close(); // the operator's file exists before the agent starts
    exec(db, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('sick', 'web', 'sa', '127.0.0.1', " + sickPort + ");"
        + "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('good', 'web', 'eu', '127.0.0.1', " + good.getLocalPort() + ");"
        + "INSERT INTO health_checks (app, type, interval_ms, timeout_ms, rise, fall) VALUES ('web', 'tcp', 100, 500, 2, 2);");
    EdgeNode node = EdgeNode.start(config);
    closeLater.add(node);
    await().atMost(WAIT).until(() -> node.healthChecker().backends().size() == 2
        && node.healthChecker().backends().stream().allMatch(h -> h.checksTotal() >= 2));

    try (Connection watcher = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      long before = dataVersion(watcher);
      BackendLoad sickLoad = node.state().loads().loadOf("sick");
      sick.close();
      await().atMost(WAIT).until(sickLoad::isCheckFailing);
      assertThat(node.healthChecker().healthOf("sick")).returns(false, BackendHealth::up).returns("refused", BackendHealth::lastResult);
      assertThat(metrics(node))
          .contains("edge_health_check_up{app=\"web\",backend=\"sick\"} 0.0")
          .contains("edge_health_check_up{app=\"web\",backend=\"good\"} 1.0")
          .containsPattern("edge_health_check_failures_total\\{app=\"web\",backend=\"sick\"} [1-9]")
          .containsPattern("edge_health_checks_total\\{app=\"web\",backend=\"good\"} [1-9]");
      var checks = io.edgeproxy.tools.admin.AdminServer.status(node).healthChecks();
      assertThat(checks.checked()).isEqualTo(2);
      assertThat(checks.up()).isEqualTo(1);
      assertThat(checks.down()).containsExactly("web/sick: refused");
      java.io.StringWriter shown = new java.io.StringWriter();
      int code = io.edgeproxy.tools.cli.Cli.run(java.util.Map.of(), new java.io.PrintWriter(shown), new java.io.PrintWriter(
          new java.io.StringWriter()), "status", "--admin", SocketAddresses.format(node.adminAddress()));
      assertThat(code).isZero();
      assertThat(shown.toString()).contains("health      2 backends checked, 1 up, 1 down: web/sick: refused");

      ServerSocket reopened = namedBackend("sick", sickPort);
      await().atMost(WAIT).until(() -> !sickLoad.isCheckFailing());
      assertThat(metrics(node)).contains("edge_health_check_up{app=\"web\",backend=\"sick\"} 1.0");

      // Down and up again, and not one commit to routing.db from anyone.
      assertThat(dataVersion(watcher)).isEqualTo(before);
      assertThat(exec(db, "SELECT healthy FROM backends WHERE id = 'sick';").strip()).isEqualTo("1");

      reopened.close();
      await().atMost(WAIT).until(sickLoad::isCheckFailing);

      // Deleting the row ends the checks and the verdict with them (and shows the watcher sees commits).
      exec(db, "DELETE FROM health_checks WHERE app = 'web';");
      assertThat(dataVersion(watcher)).isNotEqualTo(before);
      await().atMost(WAIT).until(() -> !sickLoad.isCheckFailing());
      assertThat(node.healthChecker().backends()).isEmpty();
      assertThat(metrics(node)).doesNotContain("edge_health_check_up{");
    }
  }
}
