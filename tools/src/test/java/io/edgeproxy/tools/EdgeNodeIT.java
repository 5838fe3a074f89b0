package io.edgeproxy.tools;

import static io.edgeproxy.core.testing.Sqlite3Cli.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.config.EdgeConfig;
import io.edgeproxy.core.config.NodeConfig;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** A whole node (routing.db, reloader, GeoIP, proxy) on real sockets, edited with the real sqlite3. */
@Timeout(60)
class EdgeNodeIT {
  @TempDir Path dir;
  private final TestSockets sockets = new TestSockets();

  @AfterEach
  void closeAll() throws Exception {
    sockets.close();
  }

  private EdgeNode start(EdgeConfig config) {
    EdgeNode node = EdgeNode.start(config);
    sockets.later(node);
    return node;
  }

  @Test
  void anSqlite3EditOfRoutingDbTakesEffectWithinTheReloadInterval() throws Exception {
    EdgeConfig config = EdgeConfig.forTest(dir);
    Path db = config.node().dbPath();
    int one = sockets.namedBackend("one");
    int two = sockets.namedBackend("two");
    // The operator's file exists before the agent starts, as in production.
    EdgeNode.start(config).close();
    exec(db, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('one', 'web', 'sa', '127.0.0.1', " + one + ");");
    EdgeNode node = start(config);
    InetSocketAddress proxy = node.proxyAddresses().get(0);
    assertThat(TestSockets.ask(proxy)).isEqualTo("one");

    long before = System.nanoTime();
    exec(db, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('two', 'web', 'sa', '127.0.0.1', " + two + ");"
        + "UPDATE backends SET healthy = 0 WHERE id = 'one';");
    await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(50)).until(() -> TestSockets.ask(proxy).equals("two"));
    // EDGEPROXY_DB_RELOAD_SECS is 1 s in the test profile; allow for scheduling noise.
    assertThat(Duration.ofNanos(System.nanoTime() - before)).isLessThan(Duration.ofMillis(2_500));
  }

  @Test
  void theNodesOwnWritesApplyAtOnce() throws Exception {
    EdgeNode node = start(EdgeConfig.forTest(dir));
    int one = sockets.namedBackend("one");
    node.db().write("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('one', 'web', 'sa', '127.0.0.1', ?)", one);
    node.reloadNow();
    assertThat(TestSockets.ask(node.proxyAddresses().get(0))).isEqualTo("one");
  }

  @Test
  void badRowsAreSkippedAndTheGoodOnesServe() throws Exception {
    EdgeConfig config = EdgeConfig.forTest(dir);
    int one = sockets.namedBackend("one");
    EdgeNode.start(config).close();
    exec(config.node().dbPath(), "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('bad', 'web', 'sa', '127.0.0.1', 99999);"
        + "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('one', 'web', 'sa', '127.0.0.1', " + one + ");");
    EdgeNode node = start(config);
    assertThat(node.state().current().backends()).hasSize(1);
    assertThat(TestSockets.ask(node.proxyAddresses().get(0))).isEqualTo("one");
  }

  @Test
  void aPopRegionThatTheRegionMapDoesNotKnowStopsStartUp() {
    EdgeConfig base = EdgeConfig.forTest(dir);
    EdgeConfig config = base.withNode(new NodeConfig("mars", base.node().dbPath(), Duration.ofSeconds(1), false, NodeConfig.LogFormat.TEXT, null));
    assertThatThrownBy(() -> EdgeNode.start(config))
        .isInstanceOf(EdgeNode.NodeStartException.class)
        .hasMessage("failed to check EDGEPROXY_REGION: region 'mars' is not a known region (expected: one of ap, eu, sa, us,"
            + " or a region added to table region_countries)");
  }

  @Test
  void aBusyListenAddressStopsStartUpNamingIt() throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      EdgeConfig base = EdgeConfig.forTest(dir);
      EdgeConfig config = base.withProxy(base.proxy().withListeners(List.of(
          new io.edgeproxy.core.config.ListenerConfig("web", (InetSocketAddress) taken.getLocalSocketAddress()))));
      assertThatThrownBy(() -> EdgeNode.start(config))
          .hasMessageStartingWith("failed to bind proxy listeners: cannot listen on 127.0.0.1:" + taken.getLocalPort());
    }
  }
}
