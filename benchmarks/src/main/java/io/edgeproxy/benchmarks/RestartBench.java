package io.edgeproxy.benchmarks;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.ConnectException;
import java.net.DatagramPacket;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * What clients see while an agent restarts on the same ports (the figures of the operations issue's
 * zero-downtime restart): TCP clients open connections through the proxy and DNS clients send
 * queries, without pause; halfway, the agent is restarted as {@code systemctl restart} does it
 * (SIGTERM, wait for the exit, start again), or, with {@code --mode reload} (the default), as
 * {@code systemctl reload} does it ({@code edgeproxy reload}: a new agent takes over). Every connection and query is counted as answered,
 * refused, reset, closed empty or lost (no answer within a second), and the outage is the time from
 * the first failure to the last.
 *
 * <pre>benchmarks/restart.sh [--mode reload|restart] [--seconds 20] [--restart-at 8] [--tcp-clients 4] [--dns-clients 2]</pre>
 */
public final class RestartBench {
  private final Path launcher;
  private final Path dir;
  private final AtomicBoolean running = new AtomicBoolean(true);
  private final ConcurrentHashMap<String, LongAdder> outcomes = new ConcurrentHashMap<>();
  private final AtomicLong firstFailure = new AtomicLong(Long.MAX_VALUE);
  private final AtomicLong lastFailure = new AtomicLong();

  private RestartBench(Path launcher, Path dir) {
    this.launcher = launcher;
    this.dir = dir;
  }

  public static void main(String[] args) throws Exception {
    Path launcher = Path.of(BenchSupport.arg(args, "--launcher", "./edgeproxy"));
    int seconds = Integer.parseInt(BenchSupport.arg(args, "--seconds", "20"));
    int restartAt = Integer.parseInt(BenchSupport.arg(args, "--restart-at", "8"));
    int tcpClients = Integer.parseInt(BenchSupport.arg(args, "--tcp-clients", "4"));
    int dnsClients = Integer.parseInt(BenchSupport.arg(args, "--dns-clients", "2"));
    String mode = BenchSupport.arg(args, "--mode", "reload");
    if (!mode.equals("reload") && !mode.equals("restart")) {
      throw new IllegalArgumentException("--mode " + mode + ": expected reload (edgeproxy reload) or restart (SIGTERM, wait, start)");
    }
    new RestartBench(launcher, BenchSupport.workDir("restart-bench", args)).run(seconds, restartAt, tcpClients, dnsClients,
        mode.equals("reload"));
  }

  private void run(int seconds, int restartAt, int tcpClients, int dnsClients, boolean reload) throws Exception {
    try (ServerSocket backend = new ServerSocket(0, 512, InetAddress.getLoopbackAddress())) {
      Thread.ofVirtual().start(() -> serveName(backend));
      Path db = dir.resolve("routing.db");
      ProcessBuilder write = new ProcessBuilder(launcher.toString(), "sql", "--write", "--db", db.toString(),
          "INSERT OR REPLACE INTO backends (id, app, region, wg_ip, port) VALUES ('web-1', 'web', 'sa', '127.0.0.1', "
              + backend.getLocalPort() + ")").redirectErrorStream(true).redirectOutput(dir.resolve("sql.log").toFile());
      write.environment().put("EDGEPROXY_NO_BUILD", "1");
      if (write.start().waitFor() != 0) {
        throw new IllegalStateException("cannot write the backend row (see " + dir.resolve("sql.log") + ")");
      }
      int proxyPort = freePort();
      int dnsPort = freePort();
      List<String> command = List.of(launcher.toString(), "agent", "--listen", "127.0.0.1:" + proxyPort, "--app", "web",
          "--admin", "", "--dns", "true", "--dns-listen", "127.0.0.1:" + dnsPort, "--dns-rate-limit", "0", "--db", db.toString(),
          "--drain-secs", "5");
      Process agent = start(command, "agent-1.log");
      List<Thread> clients = new ArrayList<>();
      for (int i = 0; i < tcpClients; i++) {
        clients.add(Thread.ofPlatform().start(() -> tcpClient(new InetSocketAddress("127.0.0.1", proxyPort))));
      }
      for (int i = 0; i < dnsClients; i++) {
        clients.add(Thread.ofPlatform().start(() -> dnsClient(new InetSocketAddress("127.0.0.1", dnsPort))));
      }
      long t0 = System.nanoTime();
      Thread.sleep(TimeUnit.SECONDS.toMillis(restartAt));
      long stopAt = System.nanoTime();
      long stopped;
      long ready;
      Process old = agent;
      ProcessHandle serving;
      String oldExit = "";
      if (reload) { // as systemctl reload: edgeproxy reload with the agent's options, returning once the new agent serves
        List<String> reloadCommand = new ArrayList<>(command);
        reloadCommand.set(1, "reload");
        ProcessBuilder pb = new ProcessBuilder(reloadCommand).redirectErrorStream(true)
            .redirectOutput(dir.resolve("reload.log").toFile());
        pb.environment().put("EDGEPROXY_NO_BUILD", "1");
        int status = pb.start().waitFor();
        ready = System.nanoTime();
        if (status != 0) {
          throw new IllegalStateException("edgeproxy reload failed with status " + status + " (see " + dir + ")");
        }
        String said = Files.readString(dir.resolve("reload.log"));
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("agent pid (\\d+) took over").matcher(said);
        if (!m.find()) {
          throw new IllegalStateException("edgeproxy reload did not name the new agent: " + said);
        }
        serving = ProcessHandle.of(Long.parseLong(m.group(1))).orElseThrow();
        old.waitFor(30, TimeUnit.SECONDS); // drains, then exits
        stopped = System.nanoTime();
        oldExit = old.isAlive() ? "still running" : "exit status " + old.exitValue();
      } else {
        agent.destroy(); // SIGTERM, as systemctl stop sends it
        agent.waitFor(30, TimeUnit.SECONDS);
        stopped = System.nanoTime();
        serving = start(command, "agent-2.log").toHandle();
        ready = System.nanoTime();
      }
      BenchSupport.sleepUntil(t0 + TimeUnit.SECONDS.toNanos(seconds));
      running.set(false);
      for (Thread t : clients) {
        t.join();
      }
      serving.destroy();
      serving.onExit().get(30, TimeUnit.SECONDS);
      if (reload) {
        System.out.printf(Locale.ROOT, "reload (edgeproxy reload) at %d s: returned after %.0f ms, when the new agent served;"
            + " the old one drained and exited %.0f ms after the reload began (%s)%n", restartAt, (ready - stopAt) / 1e6,
            (stopped - stopAt) / 1e6, oldExit);
      } else {
        System.out.printf(Locale.ROOT, "restart (SIGTERM, wait, start) at %d s: the old agent took %.0f ms to exit, the new one"
            + " %.0f ms to print its listeners%n", restartAt, (stopped - stopAt) / 1e6, (ready - stopped) / 1e6);
      }
      System.out.printf(Locale.ROOT, "%d TCP clients and %d DNS clients for %d s:%n", tcpClients, dnsClients, seconds);
      new java.util.TreeMap<>(outcomes).forEach((k, v) -> System.out.printf(Locale.ROOT, "  %-28s %,d%n", k, v.sum()));
      long failed = outcomes.entrySet().stream().filter(e -> !e.getKey().endsWith("answered")).mapToLong(e -> e.getValue().sum()).sum();
      System.out.printf(Locale.ROOT, "failures: %d%s%n", failed, failed == 0 ? ""
          : String.format(Locale.ROOT, ", from %.0f ms to %.0f ms after the SIGTERM", (firstFailure.get() - stopAt) / 1e6,
              (lastFailure.get() - stopAt) / 1e6));
    }
  }

  private Process start(List<String> command, String log) throws Exception {
    ProcessBuilder pb = new ProcessBuilder(command).redirectError(dir.resolve(log).toFile());
    pb.environment().put("EDGEPROXY_NO_BUILD", "1");
    Process p = pb.start();
    BufferedReader out = new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
    String line = out.readLine();
    if (line == null || !line.startsWith("proxy: ")) {
      throw new IllegalStateException("the agent did not start (see " + dir.resolve(log) + ")");
    }
    Thread.ofVirtual().start(() -> {
      try {
        out.transferTo(java.io.Writer.nullWriter());
      } catch (IOException e) {
        // the agent ended
      }
    });
    return p;
  }

  private void count(String outcome) {
    outcomes.computeIfAbsent(outcome, k -> new LongAdder()).increment();
    if (!outcome.endsWith("answered")) {
      long now = System.nanoTime();
      firstFailure.accumulateAndGet(now, Math::min);
      lastFailure.accumulateAndGet(now, Math::max);
    }
  }

  private void tcpClient(InetSocketAddress proxy) {
    while (running.get()) {
      try (Socket s = new Socket()) {
        s.connect(proxy, 1_000);
        s.setSoTimeout(1_000);
        String got = new String(s.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        count(got.equals("web-1") ? "tcp answered" : "tcp closed empty");
      } catch (ConnectException e) {
        count("tcp refused");
      } catch (SocketTimeoutException e) {
        count("tcp lost (no answer in 1 s)");
      } catch (SocketException e) {
        count("tcp reset");
      } catch (IOException e) {
        count("tcp failed: " + e.getClass().getSimpleName());
      }
    }
  }

  private void dnsClient(InetSocketAddress server) {
    byte[] reply = new byte[512];
    int id = 0;
    try (DatagramSocket socket = new DatagramSocket()) {
      socket.setSoTimeout(1_000);
      while (running.get()) {
        id = (id + 1) & 0xffff;
        byte[] query = query(id);
        socket.send(new DatagramPacket(query, query.length, server));
        try {
          DatagramPacket p;
          do {
            p = new DatagramPacket(reply, reply.length);
            socket.receive(p);
          } while ((((reply[0] & 0xff) << 8) | (reply[1] & 0xff)) != id); // a late answer to an earlier query
          count((reply[3] & 0x0f) == 0 ? "dns answered" : "dns rcode " + (reply[3] & 0x0f));
        } catch (SocketTimeoutException e) {
          count("dns lost (no answer in 1 s)");
        }
      }
    } catch (IOException e) {
      count("dns failed: " + e.getClass().getSimpleName());
    }
  }

  /** A query for web.internal A, recursion not desired. */
  private static byte[] query(int id) {
    byte[] name = {3, 'w', 'e', 'b', 8, 'i', 'n', 't', 'e', 'r', 'n', 'a', 'l', 0};
    byte[] q = new byte[12 + name.length + 4];
    q[0] = (byte) (id >> 8);
    q[1] = (byte) id;
    q[5] = 1; // QDCOUNT
    System.arraycopy(name, 0, q, 12, name.length);
    q[12 + name.length + 1] = 1; // TYPE A
    q[12 + name.length + 3] = 1; // CLASS IN
    return q;
  }

  private static void serveName(ServerSocket server) {
    while (!server.isClosed()) {
      try {
        Socket s = server.accept();
        Thread.ofVirtual().start(() -> {
          try (s; OutputStream out = s.getOutputStream(); InputStream in = s.getInputStream()) {
            out.write("web-1\n".getBytes(StandardCharsets.US_ASCII));
          } catch (IOException e) {
            // the client left
          }
        });
      } catch (IOException e) {
        return;
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return s.getLocalPort();
    }
  }
}
