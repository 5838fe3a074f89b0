package io.edgeproxy.benchmarks;

import io.edgeproxy.core.testing.net.Host;
import io.edgeproxy.core.testing.net.NetworkLab;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

/**
 * Replication under faults (docs/benchmarks.md): three {@code ./edgeproxy agent} processes, each
 * in its own network namespace of a {@link NetworkLab} (root, iproute2 and iptables needed), as in
 * the fault tests. Two figures:
 *
 * <ul>
 *   <li>convergence after a partition: pop-0 is cut from pop-1 and pop-2 for L seconds while
 *       pop-0 and pop-1 both take writes (updates of shared rows, new rows, deletes of their own
 *       new rows), then the link heals; the time until the three routing.db hold identical
 *       backends (every row and column compared);
 *   <li>sustained changes with one lossy link: loss on pop-0's link to pop-1 only, writes on pop-0
 *       at a steady rate; the rate reached and the time until all three are identical.
 * </ul>
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.edgeproxy.benchmarks.FaultBench --launcher ./edgeproxy \
 *     [--partitions 10,60,600] [--partition-rate 200] [--loss 0.2] [--lossy-rates 1000,5000] [--seconds 10]
 * </pre>
 */
public final class FaultBench {
  private static final int ADMIN_PORT = 8082;
  private static final int SHARED_ROWS = 5_000;

  private final Path work;
  private final Path launcher;
  private final NetworkLab lab = NetworkLab.create();
  private final List<Host> hosts = new ArrayList<>();
  private final List<Connection> dbs = new ArrayList<>();
  private final List<Process> agents = new ArrayList<>();
  private final Random random = new Random(42);
  private long inserted;

  private FaultBench(Path work, Path launcher) {
    this.work = work;
    this.launcher = launcher;
  }

  public static void main(String[] args) throws Exception {
    Path launcher = Path.of(BenchSupport.arg(args, "--launcher", "edgeproxy")).toAbsolutePath();
    List<Integer> partitions = BenchSupport.ints(BenchSupport.arg(args, "--partitions", "10,60,600"));
    int partitionRate = Integer.parseInt(BenchSupport.arg(args, "--partition-rate", "200"));
    double loss = Double.parseDouble(BenchSupport.arg(args, "--loss", "0.2"));
    List<Integer> lossyRates = BenchSupport.ints(BenchSupport.arg(args, "--lossy-rates", "1000,5000"));
    int seconds = Integer.parseInt(BenchSupport.arg(args, "--seconds", "10"));
    FaultBench bench = new FaultBench(BenchSupport.workDir("fault-bench", args), launcher);
    try {
      bench.startCluster(3);
      for (int length : partitions) {
        bench.partition(length, partitionRate);
      }
      for (int rate : lossyRates) {
        bench.lossy(loss, rate, seconds);
      }
    } finally {
      bench.stop();
    }
  }

  private void startCluster(int nodes) throws Exception {
    List<String> names = new ArrayList<>();
    for (int i = 0; i < nodes; i++) {
      names.add("pop-" + i);
      hosts.add(lab.addHost("p" + i));
    }
    BenchSupport.run(launcher.toString(), "certs", "init", "--dir", work.resolve("tls").toString(), "--nodes", String.join(",", names),
        "--cluster-name", "faultbench");
    for (int i = 0; i < nodes; i++) {
      startAgent(i);
    }
    for (int i = 0; i < nodes; i++) {
      awaitLog(i, "replication up", 60);
      Connection c = DriverManager.getConnection("jdbc:sqlite:" + db(i));
      try (Statement st = c.createStatement()) {
        st.execute("PRAGMA busy_timeout = 10000");
      }
      dbs.add(c);
    }
    // Shared rows, on every POP before the first fault.
    write(0, "WITH RECURSIVE n(i) AS (SELECT 0 UNION ALL SELECT i + 1 FROM n WHERE i < " + (SHARED_ROWS - 1) + ")"
        + " INSERT INTO backends (id, app, region, wg_ip, port) SELECT 's-' || i, 'bench', 'sa', '10.0.0.2', 1000 FROM n");
    long start = System.nanoTime();
    awaitIdentical(120_000);
    System.out.printf(Locale.ROOT, "cluster: %d agents (separate JVMs, own network namespaces), gossip 200 ms, anti-entropy 1 s;"
        + " %d shared rows on all after %.1f s%n", nodes, SHARED_ROWS, (System.nanoTime() - start) / 1e9);
  }

  private void startAgent(int i) throws IOException {
    agents.add(LabAgents.start(launcher, work, "faultbench", hosts, i, ip -> List.of("--admin", ip + ":" + ADMIN_PORT)));
  }


  /**
   * pop-0 cut off for {@code seconds} while it and pop-1 take {@code rate} changes/s each; then the
   * time from the heal until all three hold the same rows.
   */
  private void partition(int seconds, int rate) throws Exception {
    lab.isolate(hosts.get(0));
    long changes = 0;
    long start = System.nanoTime();
    int perTick = Math.max(1, rate / 10); // 10 commits a second on each side
    for (int tick = 0; tick < seconds * 10; tick++) {
      for (int side : new int[] {0, 1}) {
        writeMix(side, perTick);
        changes += perTick;
      }
      BenchSupport.sleepUntil(start + TimeUnit.MILLISECONDS.toNanos((tick + 1) * 100L));
    }
    boolean apart = !fingerprint(0).equals(fingerprint(1));
    lab.rejoin(hosts.get(0));
    long healed = System.nanoTime();
    long converged = awaitIdentical(600_000);
    System.out.printf(Locale.ROOT, "partition %d s, %d changes written on the two sides (%s when it healed): all 3 POPs"
            + " identical %s after the heal; %d rows%n", seconds, changes, apart ? "different" : "already equal",
        converged < 0 ? "NOT within 600 s" : String.format(Locale.ROOT, "%.1f s", (converged - healed) / 1e9), count(0));
  }

  /** Loss {@code probability} on pop-0's link to pop-1; {@code rate} changes/s on pop-0 for {@code seconds}. */
  private void lossy(double probability, int rate, int seconds) throws Exception {
    lab.loss(hosts.get(0), hosts.get(1), probability);
    try {
      int batch = Math.max(1, rate / 100);
      long start = System.nanoTime();
      long written = 0;
      for (int tick = 0; tick < seconds * 100; tick++) {
        StringBuilder sql = new StringBuilder("INSERT OR REPLACE INTO backends (id, app, region, wg_ip, port) VALUES ");
        for (int k = 0; k < batch; k++) {
          sql.append(k == 0 ? "" : ",").append("('s-").append(random.nextInt(SHARED_ROWS)).append("', 'bench', 'sa', '10.0.0.2', ")
              .append(1 + random.nextInt(60_000)).append(')');
        }
        write(0, sql.toString());
        written += batch;
        BenchSupport.sleepUntil(start + TimeUnit.MILLISECONDS.toNanos((tick + 1) * 10L));
      }
      long stopped = System.nanoTime();
      long converged = awaitIdentical(120_000);
      System.out.printf(Locale.ROOT, "%.0f %% loss between pop-0 and pop-1: %d row changes in %.1f s on pop-0 = %.0f changes/s;"
              + " all 3 POPs identical %s after the load stopped%n", probability * 100, written, (stopped - start) / 1e9,
          written / ((stopped - start) / 1e9),
          converged < 0 ? "NOT within 120 s" : String.format(Locale.ROOT, "%.0f ms", (converged - stopped) / 1e6));
    } finally {
      lab.clearLoss();
    }
  }

  /** {@code n} changes on POP {@code side}: 60 % updates of shared rows, 30 % new rows, 10 % deletes of its own new rows. */
  private void writeMix(int side, int n) throws SQLException {
    try (Statement st = dbs.get(side).createStatement()) {
      dbs.get(side).setAutoCommit(false);
      for (int i = 0; i < n; i++) {
        int pick = random.nextInt(10);
        if (pick < 6) {
          st.executeUpdate("UPDATE backends SET port = " + (1 + random.nextInt(60_000)) + ", weight = " + (1 + random.nextInt(9))
              + " WHERE id = 's-" + random.nextInt(SHARED_ROWS) + "'");
        } else if (pick < 9 || inserted == 0) {
          st.executeUpdate("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('n" + side + "-" + (inserted++)
              + "', 'bench', 'sa', '10.0.0.3', " + (1 + random.nextInt(60_000)) + ")");
        } else {
          st.executeUpdate("DELETE FROM backends WHERE id = 'n" + side + "-" + random.nextLong(inserted) + "'");
        }
      }
      dbs.get(side).commit();
    } finally {
      dbs.get(side).setAutoCommit(true);
    }
  }

  private void write(int node, String sql) throws SQLException {
    try (Statement st = dbs.get(node).createStatement()) {
      st.executeUpdate(sql);
    }
  }

  private long count(int node) throws SQLException {
    try (Statement st = dbs.get(node).createStatement(); ResultSet rs = st.executeQuery("SELECT count(*) FROM backends")) {
      return rs.getLong(1);
    }
  }

  /** A checksum of every backends row, all columns that replicate. */
  private String fingerprint(int node) throws SQLException {
    CRC32 crc = new CRC32();
    long rows = 0;
    try (Statement st = dbs.get(node).createStatement();
        ResultSet rs = st.executeQuery("SELECT id, app, region, wg_ip, port, weight, healthy, soft_limit, hard_limit"
            + " FROM backends ORDER BY id")) {
      while (rs.next()) {
        rows++;
        for (int c = 1; c <= 9; c++) {
          crc.update(String.valueOf(rs.getObject(c)).getBytes(java.nio.charset.StandardCharsets.UTF_8));
          crc.update(0);
        }
      }
    }
    return rows + "/" + Long.toHexString(crc.getValue());
  }

  /** Waits until every POP's fingerprint equals pop-0's; the time it did (nanoTime), or -1. */
  private long awaitIdentical(long timeoutMillis) throws Exception {
    long deadline = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
    while (System.nanoTime() < deadline) {
      String expected = fingerprint(0);
      boolean all = true;
      for (int n = 1; n < dbs.size() && all; n++) {
        all = fingerprint(n).equals(expected);
      }
      if (all) {
        return System.nanoTime();
      }
      Thread.sleep(20);
    }
    return -1;
  }

  private void awaitLog(int node, String text, int seconds) throws Exception {
    BenchSupport.awaitLog(work.resolve("pop-" + node).resolve("agent.log"), text, seconds);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    // the admin endpoint answers once the agent is fully up
    InetSocketAddress admin = new InetSocketAddress(hosts.get(node).address(), ADMIN_PORT);
    while (System.nanoTime() < deadline) {
      try (Socket s = new Socket()) {
        s.connect(admin, 500);
        return;
      } catch (IOException e) {
        Thread.sleep(50);
      }
    }
  }

  private Path db(int i) {
    return work.resolve("pop-" + i).resolve("routing.db");
  }

  private void stop() throws Exception {
    BenchSupport.stopAll(dbs, agents);
    lab.close(); // and the namespaces
  }
}
