package io.edgeproxy.tools;

import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.config.EdgeConfig;
import io.edgeproxy.core.config.ReplicationConfig;
import io.edgeproxy.replication.tls.ClusterPki;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;
import java.util.stream.IntStream;

/**
 * In-process clusters of appliance nodes on 127.0.0.1 for tests: node {@code i} is "pop-i" with
 * its own routing.db under the test's directory, all sharing one cluster PKI. Each test states
 * only its deviation from {@link EdgeConfig#forTest}. Closing the cluster closes every node.
 */
final class EdgeCluster implements AutoCloseable {
  final Path dir;
  final Path tls;
  private final List<EdgeNode> nodes = new ArrayList<>();

  private EdgeCluster(Path dir) {
    this.dir = dir;
    this.tls = dir.resolve("tls");
  }

  static EdgeCluster start(Path dir, int size) {
    return start(dir, size, c -> c);
  }

  static EdgeCluster start(Path dir, int size, UnaryOperator<EdgeConfig> tweak) {
    EdgeCluster cluster = new EdgeCluster(dir);
    ClusterPki.init(cluster.tls, "test-cluster", IntStream.range(0, size + 4).mapToObj(i -> "pop-" + i).toList());
    try {
      for (int i = 0; i < size; i++) {
        cluster.add(tweak);
      }
      cluster.awaitMembers();
      return cluster;
    } catch (RuntimeException e) {
      cluster.close();
      throw e;
    }
  }

  /** Starts the next node, joining through node 0 (if there is one). */
  EdgeNode add(UnaryOperator<EdgeConfig> tweak) {
    EdgeNode node = EdgeNode.start(configFor(nodes.size(), tweak));
    nodes.add(node);
    return node;
  }

  EdgeConfig configFor(int index, UnaryOperator<EdgeConfig> tweak) {
    Path home = dir.resolve("pop-" + index);
    List<String> seeds = nodes.isEmpty() ? List.of() : List.of(nodes.get(0).replicator().status().gossipAddress());
    EdgeConfig base = EdgeConfig.forTest(home);
    return tweak.apply(base.withReplication(ReplicationConfig.forTest("pop-" + index, tls, seeds)));
  }

  /** Restarts node {@code index} (closed earlier) on the same routing.db. */
  EdgeNode restart(int index) {
    EdgeNode node = EdgeNode.start(configFor(index, c -> c));
    nodes.set(index, node);
    return node;
  }

  EdgeNode node(int index) {
    return nodes.get(index);
  }

  Path db(int index) {
    return nodes.get(index).config().node().dbPath();
  }

  int size() {
    return nodes.size();
  }

  /** Waits until every running node sees every other running node as a connected peer. */
  void awaitMembers() {
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
      long running = nodes.stream().filter(n -> n.replicator() != null).count();
      return nodes.stream().allMatch(n -> n.replicator() == null
          || n.replicator().status().peers().stream().filter(p -> p.connected()).count() == running - 1);
    });
  }

  @Override
  public void close() {
    for (EdgeNode node : nodes) {
      node.close();
    }
  }
}
