package io.edgeproxy.benchmarks;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Discovery API figures against running agents (started by {@link ReplicationBench} with the API
 * on): sustained registrations/s and heartbeats/s from {@code clients} concurrent HTTP/1.1
 * keep-alive clients on pop-0, and the time from a registration answered by pop-0 to the backend
 * being in pop-1's routing snapshot (pop-1's API answers 200 for it).
 */
final class DiscoveryBench {
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .executor(Executors.newVirtualThreadPerTaskExecutor()).connectTimeout(Duration.ofSeconds(5)).build();
  private final String token;
  private final List<String> apis;

  DiscoveryBench(String token, List<String> apis) {
    this.token = token;
    this.apis = apis;
  }

  void run(int seconds, int clients) throws Exception {
    if (onPath("wrk")) { // a C load generator: the JDK's HTTP client costs more CPU than the server it measures
      // Twice: the first round runs on freshly started JVMs (JIT compiling), the second on warm ones
      // with the first round's backends already registered. Ids differ per round.
      long registered = wrk("registrations, fresh JVMs", seconds, clients, REGISTER_LUA); // ids w-1 ... w-<registered>
      wrk("registrations, second round", seconds, clients, REGISTER_LUA.replace("w-%d", "v-%d"));
      wrk("heartbeats", seconds, clients, HEARTBEAT_LUA.replace("@N@", Long.toString(Math.max(1, registered))));
    } else {
      int registered = load("registrations", seconds, clients, (client, i) -> post(apis.get(0) + "/api/v1/register",
          body("reg-" + client + "-" + i)), 201);
      load("heartbeats", seconds, clients, (client, i) -> post(apis.get(0) + "/api/v1/heartbeat/reg-" + client + "-"
          + (i % Math.max(1, registered / clients)), ""), 200);
    }
    if (apis.size() > 1) {
      crossPop(100);
    }
  }

  private static final String REGISTER_LUA = """
      counter = 0
      request = function()
        counter = counter + 1
        local body = string.format('{"id":"w-%d","app":"bench","region":"sa","ip":"10.1.0.1","port":8080}', counter)
        return wrk.format("POST", "/api/v1/register", {["Authorization"] = "Bearer " .. os.getenv("TOKEN"),
          ["Content-Type"] = "application/json"}, body)
      end
      """;

  private static final String HEARTBEAT_LUA = """
      request = function()
        return wrk.format("POST", "/api/v1/heartbeat/w-" .. math.random(1, @N@),
          {["Authorization"] = "Bearer " .. os.getenv("TOKEN")}, "")
      end
      """;

  /** Prints what {@link #wrk} reads back: requests, errors and non-2xx, duration (us), p50 and p99 (us). */
  private static final String DONE_LUA = """
      done = function(summary, latency, requests)
        local e = summary.errors
        io.write(string.format("RESULT %d %d %d %.1f %.1f\\n", summary.requests,
          e.status + e.connect + e.read + e.write + e.timeout, summary.duration, latency:percentile(50), latency:percentile(99)))
      end
      """;

  /** Runs wrk (one thread, {@code clients} keep-alive connections) with {@code lua}; returns requests answered. */
  private long wrk(String what, int seconds, int clients, String lua) throws Exception {
    java.nio.file.Path script = java.nio.file.Files.createTempFile("discovery-bench", ".lua");
    java.nio.file.Files.writeString(script, lua + DONE_LUA);
    ProcessBuilder builder = new ProcessBuilder("wrk", "-t1", "-c" + clients, "-d" + seconds + "s", "-s", script.toString(),
        apis.get(0));
    builder.environment().put("TOKEN", token);
    Process p = builder.redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    p.waitFor();
    java.nio.file.Files.deleteIfExists(script);
    String line = out.lines().filter(l -> l.startsWith("RESULT ")).findFirst()
        .orElseThrow(() -> new IllegalStateException("wrk printed no result: " + out));
    String[] f = line.split(" ");
    long requests = Long.parseLong(f[1]);
    long errors = Long.parseLong(f[2]);
    double secs = Long.parseLong(f[3]) / 1e6;
    System.out.printf(Locale.ROOT, "%s: %.0f/s (wrk, %d connections, %.1f s, %d errors or non-2xx); latency p50 %.1f ms, p99 %.1f ms%n",
        what, (requests - errors) / secs, clients, secs, errors, Double.parseDouble(f[4]) / 1e3, Double.parseDouble(f[5]) / 1e3);
    return requests - errors;
  }

  private static boolean onPath(String command) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (java.nio.file.Files.isExecutable(java.nio.file.Path.of(dir, command))) {
        return true;
      }
    }
    return false;
  }

  interface Call {
    HttpRequest request(int client, int i);
  }

  /** {@code clients} loops calling for {@code seconds}; returns the calls per client made. */
  private int load(String what, int seconds, int clients, Call call, int expected) throws Exception {
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
    AtomicLong ok = new AtomicLong();
    AtomicLong bad = new AtomicLong();
    ConcurrentLinkedQueue<Long> micros = new ConcurrentLinkedQueue<>();
    int[] perClient = new int[clients];
    long start = System.nanoTime();
    try (var pool = Executors.newVirtualThreadPerTaskExecutor()) {
      for (int c = 0; c < clients; c++) {
        int client = c;
        pool.execute(() -> {
          int i = 0;
          while (System.nanoTime() < end) {
            long t0 = System.nanoTime();
            try {
              int status = http.send(call.request(client, i), HttpResponse.BodyHandlers.discarding()).statusCode();
              (status == expected ? ok : bad).incrementAndGet();
            } catch (Exception e) {
              bad.incrementAndGet();
            }
            micros.add((System.nanoTime() - t0) / 1_000);
            i++;
          }
          perClient[client] = i;
        });
      }
    }
    double secs = (System.nanoTime() - start) / 1e9;
    long[] sorted = micros.stream().mapToLong(Long::longValue).sorted().toArray();
    System.out.printf(Locale.ROOT, "%s: %.0f/s answered %d (%d clients, %.1f s, %d not %d); latency p50 %.1f ms, p99 %.1f ms%n",
        what, ok.get() / secs, expected, clients, secs, bad.get(), expected, pct(sorted, 0.50) / 1e3, pct(sorted, 0.99) / 1e3);
    return Arrays.stream(perClient).min().orElse(0) * clients;
  }

  private void crossPop(int samples) throws Exception {
    long[] micros = new long[samples];
    for (int s = 0; s < samples; s++) {
      String id = "cross-" + s;
      HttpResponse<Void> r = http.send(post(apis.get(0) + "/api/v1/register", body(id)), HttpResponse.BodyHandlers.discarding());
      long start = System.nanoTime(); // registration answered on pop-0: routable there
      if (r.statusCode() != 201) {
        throw new IllegalStateException("register " + id + ": HTTP " + r.statusCode());
      }
      HttpRequest get = HttpRequest.newBuilder(URI.create(apis.get(1) + "/api/v1/backends/" + id))
          .header("Authorization", "Bearer " + token).build();
      while (http.send(get, HttpResponse.BodyHandlers.discarding()).statusCode() != 200) {
        if (System.nanoTime() - start > TimeUnit.SECONDS.toNanos(30)) {
          throw new IllegalStateException(id + " never reached pop-1");
        }
        Thread.sleep(0, 500_000);
      }
      micros[s] = (System.nanoTime() - start) / 1_000;
      Thread.sleep(20);
    }
    Arrays.sort(micros);
    System.out.printf(Locale.ROOT, "registration answered on pop-0 -> routable on pop-1: p50 %.1f ms, p99 %.1f ms, max %.1f ms"
        + " (%d samples)%n", pct(micros, 0.5) / 1e3, pct(micros, 0.99) / 1e3, micros[samples - 1] / 1e3, samples);
  }

  private HttpRequest post(String url, String body) {
    return HttpRequest.newBuilder(URI.create(url)).header("Authorization", "Bearer " + token)
        .header("Content-Type", "application/json").POST(HttpRequest.BodyPublishers.ofString(body)).build();
  }

  private static String body(String id) {
    return "{\"id\":\"" + id + "\",\"app\":\"bench\",\"region\":\"sa\",\"ip\":\"10.1.0.1\",\"port\":8080}";
  }

  private static double pct(long[] sorted, double p) {
    return sorted.length == 0 ? 0 : sorted[(int) Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
  }

  static List<String> urls(int[] ports) {
    List<String> out = new ArrayList<>();
    for (int port : ports) {
      out.add("http://127.0.0.1:" + port);
    }
    return out;
  }
}
