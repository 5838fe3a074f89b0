package io.edgeproxy.benchmarks;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * End-to-end replication figures with real agents, each its own JVM started by the
 * {@code ./edgeproxy} launcher as an operator would (its JVM flags and class-data archive), on
 * 127.0.0.1. Writes go into pop-0's routing.db through a plain SQLite connection, as an operator's
 * sqlite3 would; a row counts as visible when it is in every other POP's routing.db.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.edgeproxy.benchmarks.ReplicationBench \
 *     --launcher ./edgeproxy [--nodes 5] [--latency-warmup 0] [--latency-samples 300] [--rate 5000] [--seconds 10] [--bootstrap-rows 100000]
 * </pre>
 */
public final class ReplicationBench {
  private final Path work;
  private final Path launcher;
  private final List<Process> agents = new ArrayList<>();
  private final List<Connection> dbs = new ArrayList<>();
  private int[] gossipPorts;
  private int[] apiPorts;

  private ReplicationBench(Path work, Path launcher) {
    this.work = work;
    this.launcher = launcher;
  }

  public static void main(String[] args) throws Exception {
    Path launcher = Path.of(BenchSupport.arg(args, "--launcher", "edgeproxy")).toAbsolutePath();
    int nodes = Integer.parseInt(BenchSupport.arg(args, "--nodes", "5"));
    int samples = Integer.parseInt(BenchSupport.arg(args, "--latency-samples", "300"));
    int warmup = Integer.parseInt(BenchSupport.arg(args, "--latency-warmup", "0"));
    int rate = Integer.parseInt(BenchSupport.arg(args, "--rate", "5000"));
    int seconds = Integer.parseInt(BenchSupport.arg(args, "--seconds", "10"));
    int bootstrapRows = Integer.parseInt(BenchSupport.arg(args, "--bootstrap-rows", "100000"));
    int discoverySeconds = Integer.parseInt(BenchSupport.arg(args, "--discovery-seconds", "0"));
    int discoveryClients = Integer.parseInt(BenchSupport.arg(args, "--discovery-clients", "64"));
    ReplicationBench bench = new ReplicationBench(BenchSupport.workDir("replication-bench", args), launcher);
    try {
      bench.startCluster(nodes);
      if (warmup > 0) {
        bench.latency(warmup, true);
      }
      if (samples > 0) {
        bench.latency(samples, false);
      }
      if (seconds > 0) {
        bench.throughput(rate, seconds, 0, "sustained, fresh JVMs");
        bench.throughput(rate, seconds, 1, "sustained, second round");
        bench.idle(Integer.parseInt(BenchSupport.arg(args, "--idle-seconds", "30")));
      }
      if (discoverySeconds > 0) {
        bench.discovery(discoverySeconds, discoveryClients);
      }
      if (bootstrapRows > 0) {
        bench.bootstrap(bootstrapRows, nodes);
      }
    } finally {
      bench.stop();
    }
  }

  private void startCluster(int nodes) throws Exception {
    BenchSupport.run(launcher.toString(), "certs", "init", "--dir", work.resolve("tls").toString(), "--nodes",
        String.join(",", java.util.stream.IntStream.range(0, nodes + 1).mapToObj(i -> "pop-" + i).toList()),
        "--cluster-name", "bench");
    gossipPorts = new int[nodes + 1];
    apiPorts = new int[nodes + 1];
    for (int i = 0; i <= nodes; i++) {
      gossipPorts[i] = freePort();
      apiPorts[i] = freePort();
    }
    for (int i = 0; i < nodes; i++) {
      agents.add(startAgent(i));
    }
    for (int i = 0; i < nodes; i++) {
      awaitLog(i, "replication up", 60);
      dbs.add(DriverManager.getConnection("jdbc:sqlite:" + db(i)));
      try (Statement st = dbs.get(i).createStatement()) {
        st.execute("PRAGMA busy_timeout = 10000");
      }
    }
    // Everyone connected: a row written on pop-0 reaches all.
    write(0, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('warmup', 'bench', 'sa', '10.0.0.1', 1)");
    awaitCount(1, 60_000);
    System.out.printf(Locale.ROOT, "cluster: %d agents (separate JVMs) on 127.0.0.1, gossip 200 ms, anti-entropy 1 s%n", nodes);
  }

  private Process startAgent(int i) throws IOException {
    Path home = work.resolve("pop-" + i);
    Files.createDirectories(home);
    List<String> command = new ArrayList<>(List.of(launcher.toString(), "agent",
        "--listen", "127.0.0.1:0", "--admin", "127.0.0.1:0", "--db", db(i).toString(), "--region", "sa",
        "--replication", "--node-id", "pop-" + i, "--tls-dir", work.resolve("tls").toString(), "--cluster-name", "bench",
        "--gossip-addr", "127.0.0.1:" + gossipPorts[i], "--transport-addr", "127.0.0.1:0", "--advertise-host", "127.0.0.1",
        "--gossip-interval-ms", "200", "--sync-interval-ms", "1000", "--api", "--api-listen", "127.0.0.1:" + apiPorts[i]));
    if (i > 0) {
      command.addAll(List.of("--bootstrap-peers", "127.0.0.1:" + gossipPorts[0]));
    }
    ProcessBuilder builder = new ProcessBuilder(command);
    builder.environment().put("EDGEPROXY_NO_BUILD", "1"); // built once by benchmarks/replication.sh
    return builder.redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.appendTo(home.resolve("agent.log").toFile())).start();
  }

  private Path db(int i) {
    return work.resolve("pop-" + i).resolve("routing.db");
  }

  /**
   * Time from a committed write on pop-0 to the row being in every other POP's routing.db.
   * {@code warmup}: the first writes after start, reported apart and not counted with the rest.
   */
  private void latency(int samples, boolean warmup) throws Exception {
    long[] micros = new long[samples];
    long[] commitMicros = new long[samples];
    for (int s = 0; s < samples; s++) {
      String id = (warmup ? "lat-warmup-" : "lat-") + s;
      long begin = System.nanoTime();
      write(0, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('" + id + "', 'bench', 'sa', '10.0.0.1', 80)");
      long start = System.nanoTime(); // committed: the clock starts now
      commitMicros[s] = (start - begin) / 1_000;
      for (int n = 1; n < dbs.size(); n++) {
        while (!exists(n, id)) {
          Thread.onSpinWait();
          if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(30)) {
            throw new IllegalStateException(id + " did not reach pop-" + n);
          }
          Thread.sleep(0, 200_000);
        }
      }
      micros[s] = (System.nanoTime() - start) / 1_000;
      Thread.sleep(20);
    }
    Integer[] order = new Integer[samples];
    Arrays.setAll(order, i -> i);
    Arrays.sort(order, (x, y) -> Long.compare(micros[y], micros[x]));
    StringBuilder slowest = new StringBuilder();
    for (int i = 0; i < Math.min(5, samples); i++) {
      slowest.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "#%d %.1f ms", order[i], micros[order[i]] / 1000.0));
    }
    Arrays.sort(micros);
    Arrays.sort(commitMicros);
    System.out.printf(Locale.ROOT, (warmup ? "first " + samples + " writes after start, not counted below: " : "") + "commit on pop-0 -> visible in all %d other routing.db: p50 %.1f ms, p90 %.1f ms, p99 %.1f ms,"
            + " max %.1f ms (%d samples; the commit itself took p50 %.1f ms, p99 %.1f ms)%n", dbs.size() - 1,
        micros[samples / 2] / 1000.0, micros[samples * 9 / 10] / 1000.0, micros[Math.min(samples - 1, samples * 99 / 100)] / 1000.0,
        micros[samples - 1] / 1000.0, samples, commitMicros[samples / 2] / 1000.0,
        commitMicros[Math.min(samples - 1, samples * 99 / 100)] / 1000.0);
    System.out.println("  slowest samples (by order written): " + slowest);
  }

  /**
   * Sustained row changes written on pop-0 at {@code rate}/s; then how long until every POP has all
   * of them. The first round runs on JVMs that have just started (the JIT compilers take much of
   * the two cores then); the second shows the steady state. Each round writes other port values,
   * so the content check cannot pass on the previous round's rows.
   */
  private void throughput(int rate, int seconds, int round, String label) throws Exception {
    int batch = Math.max(1, rate / 100); // 100 commits a second
    AgentCpu cpuBefore = AgentCpu.read(agentPids());
    long start = System.nanoTime();
    int written = 0;
    long maxPending = 0;
    double maxPendingAt = 0;
    for (int tick = 0; tick < seconds * 100; tick++) {
      StringBuilder sql = new StringBuilder("INSERT OR REPLACE INTO backends (id, app, region, wg_ip, port) VALUES ");
      for (int k = 0; k < batch; k++) {
        sql.append(k == 0 ? "" : ",").append("('t-").append(written % 20_000).append("', 'bench', 'sa', '10.0.0.2', ")
            .append(1000 + (written + round * 7_919) % 50_000).append(')');
        written++;
      }
      write(0, sql.toString());
      if (tick % 20 == 19) { // every 200 ms: how far pop-0's capture trails the writer
        long pending = pending(0);
        if (pending > maxPending) {
          maxPending = pending;
          maxPendingAt = (System.nanoTime() - start) / 1e9;
        }
      }
      BenchSupport.sleepUntil(start + TimeUnit.MILLISECONDS.toNanos((tick + 1) * 10L));
    }
    long pendingAtStop = pending(0);
    long stopped = System.nanoTime();
    double achieved = written / ((stopped - start) / 1e9);
    String expected = fingerprint(0);
    String lastId = "t-" + ((written - 1) % 20_000);
    long lastPort = port(0, lastId);
    long converged = -1;
    while (System.nanoTime() - stopped < TimeUnit.SECONDS.toNanos(60)) {
      // The last row written is looked up by key first (microseconds); the whole table is summed
      // only once it is there. Summing 20,000 rows every few milliseconds took a quarter of a core
      // from the agents it was waiting for.
      boolean all = true;
      for (int n = 1; n < dbs.size() && all; n++) {
        all = port(n, lastId) == lastPort && fingerprint(n).equals(expected);
      }
      if (all) {
        converged = System.nanoTime();
        break;
      }
      Thread.sleep(5);
    }
    System.out.printf(Locale.ROOT, "%s: %d row changes in %.1f s on pop-0 = %.0f changes/s; all %d POPs identical %s after the"
            + " load stopped%n", label, written, (stopped - start) / 1e9, achieved, dbs.size(),
        converged < 0 ? "NOT within 60 s" : String.format(Locale.ROOT, "%.0f ms", (converged - stopped) / 1e6));
    System.out.printf(Locale.ROOT, "  pop-0's capture backlog (sampled every 200 ms): at most %d rows pending (%.1f s into the"
        + " round), %d when the load stopped%n", maxPending, maxPendingAt, pendingAtStop);
    System.out.printf(Locale.ROOT, "  the %d agents in that round: %s; peak RSS %s%n", agents.size(),
        AgentCpu.read(agentPids()).since(cpuBefore, 14), AgentCpu.peakRss(agentPids()));
  }

  /**
   * What the agents spend holding the rounds' 20,000 backends with nothing written: the work every
   * POP does whatever the traffic (status history, hard-limit shares, membership, reloads).
   */
  private void idle(int seconds) throws Exception {
    if (seconds <= 0) {
      return;
    }
    Thread.sleep(5_000); // the rounds' last snapshot updates and reloads
    AgentCpu before = AgentCpu.read(agentPids());
    Thread.sleep(seconds * 1_000L);
    System.out.printf(Locale.ROOT, "idle, %d s after the rounds (%d backends, nothing written): the %d agents %s%n", seconds,
        20_000, agents.size(), AgentCpu.read(agentPids()).since(before, 10));
  }

  /** The agents' JVMs (the launcher execs java, so the process started is the JVM). */
  private List<Long> agentPids() {
    return agents.stream().map(Process::pid).toList();
  }

  /** The discovery API's figures (see {@link DiscoveryBench}); the admin token replicates from pop-0. */
  private void discovery(int seconds, int clients) throws Exception {
    ProcessBuilder create = new ProcessBuilder(launcher.toString(), "token", "create", "--admin", "--db", db(0).toString());
    create.environment().put("EDGEPROXY_NO_BUILD", "1");
    Process p = create.redirectError(ProcessBuilder.Redirect.INHERIT).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.US_ASCII).trim();
    String token = out.substring(out.lastIndexOf('\n') + 1); // the token is the last line (JVM options may print before)
    if (p.waitFor() != 0 || token.isEmpty()) {
      throw new IllegalStateException("edgeproxy token create failed");
    }
    Thread.sleep(1_000); // the token's row reaches the other POPs
    new DiscoveryBench(token, DiscoveryBench.urls(Arrays.copyOf(apiPorts, agents.size()))).run(seconds, clients);
  }

  /** A new, empty POP joins a cluster holding {@code rows} rows: time until it has all of them. */
  private void bootstrap(int rows, int nodes) throws Exception {
    write(0, "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < " + rows + ")"
        + " INSERT OR REPLACE INTO backends (id, app, region, wg_ip, port) SELECT 'boot-' || i, 'bench', 'eu', '10.0.0.3', 1000 + i % 50000 FROM n");
    long target = count(0);
    for (int n = 1; n < dbs.size(); n++) {
      awaitCount(n, target, 120_000);
    }
    long start = System.nanoTime();
    agents.add(startAgent(nodes));
    awaitLog(nodes, "replication up", 60);
    dbs.add(DriverManager.getConnection("jdbc:sqlite:" + db(nodes)));
    awaitCount(nodes, target, 300_000);
    System.out.printf(Locale.ROOT, "bootstrap: a new POP (JVM start included) holds all %d rows after %.1f s%n", target,
        (System.nanoTime() - start) / 1e9);
  }

  private void write(int node, String sql) throws SQLException {
    try (Statement st = dbs.get(node).createStatement()) {
      st.executeUpdate(sql);
    }
  }

  private boolean exists(int node, String id) throws SQLException {
    try (PreparedStatement st = dbs.get(node).prepareStatement("SELECT 1 FROM backends WHERE id = ?")) {
      st.setString(1, id);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next();
      }
    }
  }

  /** The port of row {@code id} on {@code node}; -1 if it is not there. */
  private long port(int node, String id) throws SQLException {
    try (PreparedStatement st = dbs.get(node).prepareStatement("SELECT port FROM backends WHERE id = ?")) {
      st.setString(1, id);
      try (ResultSet rs = st.executeQuery()) {
        return rs.next() ? rs.getLong(1) : -1;
      }
    }
  }

  /** Rows written on {@code node} that its replication has not versioned yet (its capture's backlog). */
  private long pending(int node) throws SQLException {
    try (Statement st = dbs.get(node).createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM (SELECT DISTINCT tbl, pk FROM __edge_pending)")) {
      return rs.getLong(1);
    }
  }

  private long count(int node) throws SQLException {
    try (Statement st = dbs.get(node).createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM backends")) {
      return rs.getLong(1);
    }
  }

  private String fingerprint(int node) throws SQLException {
    try (Statement st = dbs.get(node).createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*), coalesce(sum(port), 0), coalesce(sum(length(id)), 0) FROM backends")) {
      return rs.getLong(1) + "/" + rs.getLong(2) + "/" + rs.getLong(3);
    }
  }

  private void awaitCount(long count, long timeoutMillis) throws Exception {
    for (int n = 0; n < dbs.size(); n++) {
      awaitCount(n, count, timeoutMillis);
    }
  }

  private void awaitCount(int node, long count, long timeoutMillis) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (count(node) < count) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("pop-" + node + " has " + count(node) + " of " + count + " rows");
      }
      Thread.sleep(5);
    }
  }

  private void awaitLog(int node, String text, int seconds) throws Exception {
    BenchSupport.awaitLog(work.resolve("pop-" + node).resolve("agent.log"), text, seconds);
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }

  private void stop() throws Exception {
    BenchSupport.stopAll(dbs, agents);
  }
}
