package io.edgeproxy.benchmarks;

import com.sun.net.httpserver.HttpServer;
import io.edgeproxy.core.testing.net.DelayRelay;
import io.edgeproxy.core.testing.net.Host;
import io.edgeproxy.core.testing.net.NetworkLab;
import io.edgeproxy.core.testing.net.Protocol;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The tiered-edge seed's latency chart, measured (docs/benchmarks.md, docs/cache-latency.svg): two
 * {@code ./edgeproxy agent} processes of one region, each in its own network namespace, with
 * one-way delays per hop standing in for distance: the client is 10 ms from its POP (20 ms round
 * trip), the POP 32.5 ms from its shield (85 ms round trip from the client), the shield 82.5 ms
 * from the origin (250 ms). Delays are the core test-jar's delaying relays (TCP for the client and
 * the origin, UDP for the POPs' QUIC links), put in the path with {@code iptables} redirects. Keys
 * are chosen so that pop-1 is their shield; the medians of an L1 hit, a shield hit and an origin
 * fetch (request to last byte, on a kept-alive connection) are printed and drawn.
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar io.edgeproxy.benchmarks.CacheLatencyBench --launcher ./edgeproxy \
 *     [--samples 25] [--svg docs/cache-latency.svg]
 * </pre>
 */
public final class CacheLatencyBench {
  private static final int HTTP_PORT = 8088;
  private static final Duration CLIENT_POP = Duration.ofMillis(10);
  private static final Duration POP_SHIELD = Duration.ofNanos(32_500_000);
  private static final Duration SHIELD_ORIGIN = Duration.ofNanos(82_500_000);

  private final Path work;
  private final Path launcher;
  private final NetworkLab lab = NetworkLab.create();
  private final List<Host> hosts = new ArrayList<>();
  private final List<Process> agents = new ArrayList<>();
  private final List<AutoCloseable> relays = new ArrayList<>();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

  private CacheLatencyBench(Path work, Path launcher) {
    this.work = work;
    this.launcher = launcher;
  }

  public static void main(String[] args) throws Exception {
    System.setProperty("jdk.httpclient.allowRestrictedHeaders", "host");
    Path launcher = Path.of(BenchSupport.arg(args, "--launcher", "edgeproxy")).toAbsolutePath();
    int samples = Integer.parseInt(BenchSupport.arg(args, "--samples", "25"));
    Path svg = Path.of(BenchSupport.arg(args, "--svg", "docs/cache-latency.svg"));
    CacheLatencyBench bench = new CacheLatencyBench(BenchSupport.workDir("cache-latency", args), launcher);
    HttpServer origin = HttpServer.create(new InetSocketAddress(bench.lab.gateway(), 0), 100);
    origin.createContext("/", exchange -> {
      byte[] body = ("object " + exchange.getRequestURI().getPath() + "\n").repeat(20).getBytes(StandardCharsets.US_ASCII);
      exchange.getResponseHeaders().set("Cache-Control", "max-age=3600");
      exchange.sendResponseHeaders(200, body.length);
      exchange.getResponseBody().write(body);
      exchange.close();
    });
    origin.start();
    try {
      bench.start(origin.getAddress());
      double[] medians = bench.measure(samples);
      System.out.printf(Locale.ROOT, "medians of %d each: L1 hit %.1f ms, shield hit %.1f ms, origin fetch %.1f ms"
          + " (the seed claims 20, 85 and 250 ms)%n", samples, medians[0], medians[1], medians[2]);
      Files.writeString(svg, LatencyChart.svg(medians));
      System.out.println("chart: " + svg.toAbsolutePath());
    } finally {
      origin.stop(0);
      bench.stop();
    }
  }

  private void start(InetSocketAddress origin) throws Exception {
    List<String> names = List.of("pop-0", "pop-1");
    for (int i = 0; i < 2; i++) {
      hosts.add(lab.addHost("c" + i));
    }
    BenchSupport.run(launcher.toString(), "certs", "init", "--dir", work.resolve("tls").toString(), "--nodes", String.join(",", names),
        "--cluster-name", "latency");
    for (int i = 0; i < 2; i++) {
      startAgent(i);
    }
    for (int i = 0; i < 2; i++) {
      BenchSupport.awaitLog(work.resolve("pop-" + i).resolve("agent.log"), "replication up", 60);
    }
    // The POPs' QUIC links both ways through a 32.5 ms relay; the shield's way to the origin through an 82.5 ms one.
    for (int[] link : new int[][] {{0, 1}, {1, 0}}) {
      InetSocketAddress stream = new InetSocketAddress(hosts.get(link[1]).address(), LabAgents.STREAM_PORT);
      relay(DelayRelay.udp(new InetSocketAddress(lab.gateway(), 0), stream, POP_SHIELD), link[0], Protocol.UDP, stream);
    }
    for (int i = 0; i < 2; i++) {
      relay(DelayRelay.tcp(new InetSocketAddress(lab.gateway(), 0), origin, SHIELD_ORIGIN), i, Protocol.TCP, origin);
    }
    try (Connection db = DriverManager.getConnection("jdbc:sqlite:" + work.resolve("pop-0").resolve("routing.db"));
        Statement st = db.createStatement()) {
      st.execute("PRAGMA busy_timeout = 10000");
      st.execute("INSERT INTO apps (name, protocol, http_redirect, cache) VALUES ('site', 'http', 0, 1)");
      st.execute("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('origin', 'site', 'sa', '"
          + origin.getAddress().getHostAddress() + "', " + origin.getPort() + ")");
    }
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (get(direct(1), "/ready-" + System.nanoTime()).status != 200 || get(direct(0), "/ready-" + System.nanoTime()).status != 200) {
      if (System.nanoTime() > deadline) {
        throw new IllegalStateException("the app is not served on both POPs after 60 s");
      }
      Thread.sleep(250);
    }
  }

  private void relay(DelayRelay relay, int from, Protocol protocol, InetSocketAddress original) {
    relays.add(relay);
    lab.redirect(hosts.get(from), protocol, original, relay.address());
  }

  private void startAgent(int i) throws IOException {
    agents.add(LabAgents.start(launcher, work, "latency", hosts, i, ip -> List.of("--tls", "--tls-listen", ip + ":8443",
        "--http-listen", ip + ":" + HTTP_PORT, "--domain", "apps.test")));
  }


  /** Medians (ms) of an L1 hit, a shield hit and an origin fetch at pop-0 for keys pop-1 shields. */
  private double[] measure(int samples) throws Exception {
    DelayRelay client = DelayRelay.tcp(new InetSocketAddress(lab.gateway(), 0), direct(0), CLIENT_POP);
    relays.add(client);
    InetSocketAddress far = client.address();
    for (int i = 0; i < 5; i++) { // connections up, QUIC link open
      get(far, "/warm-" + i);
    }
    List<Double> l1 = new ArrayList<>();
    List<Double> shield = new ArrayList<>();
    List<Double> origin = new ArrayList<>();
    for (int k = 0; origin.size() < samples || shield.size() < samples; k++) {
      Got fetch = get(far, "/o-" + k);
      if (fetch.cacheStatus.contains("edgeproxy-shield/pop-1; fwd=uri-miss")) {
        origin.add(fetch.ms);
        l1.add(get(far, "/o-" + k).ms);
      }
      get(direct(1), "/s-" + k); // now at the shield: a hit there for pop-0, if pop-1 shields this key
      Got viaShield = get(far, "/s-" + k);
      if (viaShield.cacheStatus.contains("edgeproxy-shield/pop-1; hit")) {
        shield.add(viaShield.ms);
      }
      if (k > samples * 10) {
        throw new IllegalStateException("too few keys shielded by pop-1 (" + origin.size() + ")");
      }
    }
    return new double[] {median(l1), median(shield), median(origin)};
  }

  private InetSocketAddress direct(int pop) {
    return new InetSocketAddress(hosts.get(pop).address(), HTTP_PORT);
  }

  private record Got(int status, String cacheStatus, double ms) {}

  private Got get(InetSocketAddress to, String path) throws Exception {
    HttpRequest request = HttpRequest.newBuilder(URI.create("http://" + to.getAddress().getHostAddress() + ":" + to.getPort() + path))
        .header("Host", "site.apps.test").timeout(Duration.ofSeconds(10)).build();
    long start = System.nanoTime();
    try {
      HttpResponse<byte[]> r = http.send(request, HttpResponse.BodyHandlers.ofByteArray());
      return new Got(r.statusCode(), r.headers().firstValue("cache-status").orElse(""), (System.nanoTime() - start) / 1e6);
    } catch (IOException e) {
      return new Got(0, "", (System.nanoTime() - start) / 1e6);
    }
  }

  private static double median(List<Double> values) {
    List<Double> sorted = new ArrayList<>(values);
    sorted.sort(null);
    int n = sorted.size();
    return n % 2 == 1 ? sorted.get(n / 2) : (sorted.get(n / 2 - 1) + sorted.get(n / 2)) / 2;
  }

  private void stop() throws Exception {
    for (AutoCloseable r : relays) {
      r.close();
    }
    BenchSupport.stopAll(List.of(), agents);
    lab.close();
  }
}
