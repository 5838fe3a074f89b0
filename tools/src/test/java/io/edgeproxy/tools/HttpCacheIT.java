package io.edgeproxy.tools;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.config.CacheConfig;
import io.edgeproxy.core.config.EdgeTlsConfig;
import io.edgeproxy.core.testing.LocalPorts;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The edge cache (apps.cache = 1) on real sockets: curl over HTTPS against a counting origin whose
 * answers each test shapes per path, so every assertion on what the origin saw is exact.
 */
@Timeout(120)
class HttpCacheIT extends HttpsEdgeTestBase {
  private EdgeNode node;
  private int port;
  /** Per path: the extra header lines, status and body the origin answers with; absent: 200 max-age=60. */
  private final Map<String, Answer> answers = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> seen = new ConcurrentHashMap<>();
  private final AtomicReference<String> lastIfNoneMatch = new AtomicReference<>();
  private TestHttpBackend origin;

  /** What the origin answers: {@code status} with {@code headers} (CRLF-separated lines) and {@code body}, after {@code delayMs}. */
  record Answer(int status, String headers, String body, long delayMs) {
    static Answer of(String headers, String body) {
      return new Answer(200, headers, body, 0);
    }
  }

  @BeforeEach
  void pop() throws Exception {
    Path certs = dir.resolve("certs");
    issue(certs, "apps", "*.apps.test");
    node = startNode(dir.resolve("pop"), c -> c.withTls(EdgeTlsConfig.forTest().withDomain("apps.test").withCertificatesDir(certs)
        .withCache(new CacheConfig(64L << 20, 2L << 20))));
    port = node.edgeAddress().getPort();
    origin = new TestHttpBackend((request, out, in) -> {
      String path = request.target();
      int n = seen.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
      if (request.header("if-none-match") != null) {
        lastIfNoneMatch.set(request.header("if-none-match"));
      }
      if (path.equals("/slow-body")) { // 1 MiB, the second half 1.5 s after the first
        out.write("HTTP/1.1 200 OK\r\nCache-Control: max-age=60\r\nContent-Length: 1048576\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        out.write(new byte[512 * 1024]);
        out.flush();
        sleep(1_500);
        out.write(new byte[512 * 1024]);
        out.flush();
        return true;
      }
      Answer a = answers.getOrDefault(path, Answer.of("Cache-Control: max-age=60", "default"));
      if (a.delayMs() > 0) {
        sleep(a.delayMs());
      }
      String body = a.body().replace("{n}", String.valueOf(n)).replace("{ae}", String.valueOf(request.header("accept-encoding")));
      if (a.status() == 304 && request.header("if-none-match") == null) {
        write(out, 200, a.headers(), body, request.method().equals("HEAD"));
      } else {
        write(out, a.status(), a.headers(), a.status() == 304 ? "" : body, request.method().equals("HEAD"));
      }
      return true;
    });
    closers.add(origin);
    sql(node, "INSERT INTO apps (name, protocol, cache) VALUES ('web', 'http', 1), ('plain', 'http', 0)");
    sql(node, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('web-1', 'web', 'sa', '127.0.0.1', " + origin.port()
        + "), ('plain-1', 'plain', 'sa', '127.0.0.1', " + origin.port() + ")");
  }

  private static void write(OutputStream out, int status, String headers, String body, boolean head) throws IOException {
    byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
    String reason = status == 200 ? "OK" : status == 304 ? "Not Modified" : "Status";
    StringBuilder h = new StringBuilder("HTTP/1.1 " + status + " " + reason + "\r\n");
    if (!headers.isEmpty()) {
      h.append(headers).append("\r\n");
    }
    if (status != 304) {
      h.append("Content-Length: ").append(bytes.length).append("\r\n");
    }
    out.write(h.append("\r\n").toString().getBytes(StandardCharsets.US_ASCII));
    if (!head && status != 304) {
      out.write(bytes);
    }
    out.flush();
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private int seen(String path) {
    AtomicInteger n = seen.get(path);
    return n == null ? 0 : n.get();
  }

  /** A response as curl saw it: status, header lines (lowercase names) and body. */
  record Got(int status, String headers, String body) {
    String header(String name) {
      for (String line : headers.split("\r?\n")) {
        int colon = line.indexOf(':');
        if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase(name)) {
          return line.substring(colon + 1).trim();
        }
      }
      return null;
    }
  }

  private Got get(String app, String path, String... extra) throws Exception {
    Path headers = Files.createTempFile(dir, "h", ".txt");
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "--max-time", "20", "--cacert", caPem.toString(),
        "--resolve", app + ".apps.test:" + port + ":127.0.0.1", "-D", headers.toString(), "-w", "\n%{http_code}"));
    command.addAll(List.of(extra));
    command.add("https://" + app + ".apps.test:" + port + path);
    String out = run(30, command.toArray(String[]::new)).out();
    int cut = out.lastIndexOf('\n');
    return new Got(Integer.parseInt(out.substring(cut + 1).trim()), Files.readString(headers), out.substring(0, cut));
  }

  @Test
  void aMissIsStoredAndTheNextRequestIsAHitWithAgeAndCacheStatus() throws Exception {
    answers.put("/a", Answer.of("Cache-Control: max-age=600\r\nAge: 100", "body {n}"));
    Got miss = get("web", "/a", "--http2");
    assertThat(miss.body()).isEqualTo("body 1");
    assertThat(miss.header("cache-status")).isEqualTo("edgeproxy; fwd=uri-miss; fwd-status=200; stored");
    Got hit = get("web", "/a", "--http1.1");
    assertThat(hit.body()).isEqualTo("body 1");
    assertThat(hit.header("cache-status")).matches("edgeproxy; hit; ttl=-?\\d+");
    assertThat(Long.parseLong(hit.header("age"))).isBetween(100L, 102L); // the origin's Age, plus time here
    assertThat(Long.parseLong(hit.header("content-length"))).isEqualTo(6);
    Got head = get("web", "/a", "--http1.1", "-I");
    assertThat(head.status()).isEqualTo(200);
    assertThat(head.header("cache-status")).startsWith("edgeproxy; hit");
    assertThat(seen("/a")).isEqualTo(1);
  }

  @Test
  void privateNoStoreCookiesAndAuthorizationAreNotStoredUnlessTheOriginAllows() throws Exception {
    answers.put("/private", Answer.of("Cache-Control: private, max-age=60", "p"));
    answers.put("/nostore", Answer.of("Cache-Control: no-store", "n"));
    answers.put("/cookie", Answer.of("Cache-Control: max-age=60\r\nSet-Cookie: s=1", "c"));
    answers.put("/auth", Answer.of("Cache-Control: max-age=60", "a"));
    answers.put("/public", Answer.of("Cache-Control: public, max-age=60", "pub"));
    for (String path : List.of("/private", "/nostore", "/cookie")) {
      assertThat(get("web", path).header("cache-status")).isEqualTo("edgeproxy; fwd=uri-miss; fwd-status=200");
      get("web", path);
      assertThat(seen(path)).as(path).isEqualTo(2);
    }
    get("web", "/auth", "-H", "Authorization: Bearer t");
    get("web", "/auth", "-H", "Authorization: Bearer t");
    assertThat(seen("/auth")).isEqualTo(2);
    get("web", "/public", "-H", "Authorization: Bearer t");
    assertThat(get("web", "/public", "-H", "Authorization: Bearer t").header("cache-status")).startsWith("edgeproxy; hit");
    assertThat(seen("/public")).isEqualTo(1);
  }

  @Test
  void varyKeepsOneVariantPerAcceptEncoding() throws Exception {
    answers.put("/v", Answer.of("Cache-Control: max-age=60\r\nVary: Accept-Encoding", "for {ae}"));
    assertThat(get("web", "/v", "-H", "Accept-Encoding: gzip").body()).isEqualTo("for gzip");
    Got other = get("web", "/v", "-H", "Accept-Encoding: br");
    assertThat(other.body()).isEqualTo("for br");
    assertThat(other.header("cache-status")).isEqualTo("edgeproxy; fwd=vary-miss; fwd-status=200; stored");
    assertThat(get("web", "/v", "-H", "Accept-Encoding: gzip").body()).isEqualTo("for gzip");
    assertThat(get("web", "/v", "-H", "Accept-Encoding: br").header("cache-status")).startsWith("edgeproxy; hit");
    assertThat(seen("/v")).isEqualTo(2);
  }

  @Test
  void aStaleEntryIsRevalidatedAndA304IsMergedIntoIt() throws Exception {
    answers.put("/e", new Answer(304, "Cache-Control: max-age=1\r\nETag: \"v1\"\r\nX-Rev: {n}", "etag body", 0));
    assertThat(get("web", "/e").body()).isEqualTo("etag body");
    Thread.sleep(1_100);
    Got revalidated = get("web", "/e");
    assertThat(revalidated.status()).isEqualTo(200);
    assertThat(revalidated.body()).isEqualTo("etag body");
    assertThat(revalidated.header("cache-status")).isEqualTo("edgeproxy; fwd=stale; fwd-status=304; stored");
    assertThat(lastIfNoneMatch.get()).isEqualTo("\"v1\"");
    assertThat(get("web", "/e").header("cache-status")).startsWith("edgeproxy; hit");
    assertThat(seen("/e")).isEqualTo(2);
    // A client's own validator that matches gets a 304 from the cache.
    Got notModified = get("web", "/e", "-H", "If-None-Match: \"v1\"");
    assertThat(notModified.status()).isEqualTo(304);
    assertThat(seen("/e")).isEqualTo(2);
  }

  @Test
  void staleIfErrorServesTheStoredResponseWhenTheOriginFailsOrIsGone() throws Exception {
    answers.put("/s", Answer.of("Cache-Control: max-age=1, stale-if-error=60", "still here"));
    get("web", "/s");
    Thread.sleep(1_100);
    answers.put("/s", new Answer(503, "Cache-Control: no-store", "down", 0));
    Got failing = get("web", "/s");
    assertThat(failing.status()).isEqualTo(200);
    assertThat(failing.body()).isEqualTo("still here");
    assertThat(failing.header("cache-status")).matches("edgeproxy; hit; ttl=-\\d+; detail=stale-if-error");
    int closed = LocalPorts.tcp().getPort();
    sql(node, "UPDATE backends SET port = " + closed + " WHERE id = 'web-1'");
    Got gone = get("web", "/s");
    assertThat(gone.status()).isEqualTo(200);
    assertThat(gone.body()).isEqualTo("still here");
    // Without stale-if-error the failure is the client's.
    answers.put("/strict", Answer.of("Cache-Control: max-age=1", "x"));
    sql(node, "UPDATE backends SET port = " + origin.port() + " WHERE id = 'web-1'");
    get("web", "/strict");
    Thread.sleep(1_100);
    sql(node, "UPDATE backends SET port = " + closed + " WHERE id = 'web-1'");
    assertThat(get("web", "/strict").status()).isEqualTo(502);
  }

  @Test
  void staleWhileRevalidateAnswersAtOnceAndRefreshesBehind() throws Exception {
    answers.put("/w", Answer.of("Cache-Control: max-age=1, stale-while-revalidate=30", "version {n}"));
    assertThat(get("web", "/w").body()).isEqualTo("version 1");
    Thread.sleep(1_100);
    answers.put("/w", new Answer(200, "Cache-Control: max-age=60", "version {n}", 3_000));
    long started = System.nanoTime();
    Got stale = get("web", "/w", "-I"); // a HEAD: the refresh it starts must still fetch (and store) the body
    // The origin takes 3 s; curl itself (a process, a TLS handshake) can take a second on a busy machine.
    assertThat(System.nanoTime() - started).as("not waiting for the slow origin").isLessThan(2_500_000_000L);
    assertThat(stale.header("cache-status")).contains("detail=stale-while-revalidate");
    assertThat(get("web", "/w").body()).isIn("version 1", "version 2"); // stale, or refreshed already
    org.awaitility.Awaitility.await().atMost(java.time.Duration.ofSeconds(10))
        .until(() -> get("web", "/w").body().equals("version 2"));
    assertThat(seen("/w")).isEqualTo(2);
  }

  @Test
  void anUnsafeMethodThatSucceedsDropsTheEntry() throws Exception {
    answers.put("/doc", Answer.of("Cache-Control: max-age=60", "doc {n}"));
    get("web", "/doc");
    assertThat(get("web", "/doc").body()).isEqualTo("doc 1");
    assertThat(get("web", "/doc", "-X", "POST", "-d", "x").header("cache-status")).isEqualTo("edgeproxy; fwd=bypass");
    assertThat(get("web", "/doc").body()).isEqualTo("doc 3");
  }

  /** {@code n} requests for {@code path} at once (one curl, a connection each); one line per transfer: status and Cache-Status. */
  private String parallel(int n, String path) throws Exception {
    List<String> command = new ArrayList<>(List.of("curl", "-sS", "--no-progress-meter", "--max-time", "30", "--cacert",
        caPem.toString(), "--http1.1", "--resolve", "web.apps.test:" + port + ":127.0.0.1", "-Z", "--parallel-immediate",
        "--parallel-max", String.valueOf(n), "-w", "%{http_code} %header{cache-status}\n"));
    for (int i = 0; i < n; i++) {
      command.addAll(List.of("-o", "/dev/null", "https://web.apps.test:" + port + path));
    }
    return run(60, command.toArray(String[]::new)).out();
  }

  @Test
  void twoHundredConcurrentMissesForOneKeyReachTheOriginOnce() throws Exception {
    answers.put("/cold", new Answer(200, "Cache-Control: max-age=60", "cold {n}", 2_000)); // long enough for 200 curls to start on a busy machine
    String out = parallel(200, "/cold");
    List<String> results = out.lines().filter(l -> l.matches("^\\d{3} .*")).toList();
    assertThat(results).hasSize(200).allMatch(l -> l.startsWith("200 "));
    assertThat(seen("/cold")).isEqualTo(1);
    assertThat(results.stream().filter(l -> l.contains("collapsed")).count()).as(results.get(0) + " ... " + results.get(199)).isGreaterThan(100);
  }

  @Test
  void aResponseBeingStoredIsFetchedToTheEndWhenItsClientLeavesAndServesTheRequestsWaitingForIt() throws Exception {
    Process leader = new ProcessBuilder("curl", "-sS", "--max-time", "0.8", "--cacert", caPem.toString(), "-o", "/dev/null",
        "--resolve", "web.apps.test:" + port + ":127.0.0.1", "https://web.apps.test:" + port + "/slow-body").start();
    Thread.sleep(300); // the leader is at the origin, half of the body through
    String out = parallel(10, "/slow-body");
    assertThat(leader.waitFor()).as("the leader gave up").isNotZero();
    List<String> results = out.lines().filter(l -> l.matches("^\\d{3} .*")).toList();
    assertThat(results).hasSize(10).allMatch(l -> l.startsWith("200 ") && l.contains("hit"));
    assertThat(seen("/slow-body")).as("the waiting requests did not go to the origin after the leader left").isEqualTo(1);
  }

  @Test
  void missesThatTurnOutUncacheableGoToTheOriginTogetherNotOneByOne() throws Exception {
    answers.put("/priv", new Answer(200, "Cache-Control: private", "mine", 1_000));
    long started = System.nanoTime();
    String out = parallel(20, "/priv");
    long ms = (System.nanoTime() - started) / 1_000_000;
    assertThat(out.lines().filter(l -> l.startsWith("200 ")).count()).isEqualTo(20);
    assertThat(seen("/priv")).isEqualTo(20);
    assertThat(ms).as("followers released together after the first 1 s answer, not serially (20 s)").isLessThan(5_000);
  }

  @Test
  void anAppWithoutTheCacheIsNeverServedFromIt() throws Exception {
    Got first = get("plain", "/x");
    get("plain", "/x");
    assertThat(first.header("cache-status")).isNull();
    assertThat(seen("/x")).isEqualTo(2);
  }

  @Test
  void cdnCacheControlWinsOverCacheControlAndIsNotPassedOn() throws Exception {
    answers.put("/cdn", Answer.of("Cache-Control: no-store\r\nCDN-Cache-Control: max-age=60", "edge only"));
    Got first = get("web", "/cdn");
    assertThat(first.header("cache-control")).isEqualTo("no-store");
    assertThat(first.header("cdn-cache-control")).isNull();
    assertThat(get("web", "/cdn").header("cache-status")).startsWith("edgeproxy; hit");
    assertThat(seen("/cdn")).isEqualTo(1);
  }

  @Test
  void aBodyOverTheObjectLimitIsRelayedWholeAndNotStored() throws Exception {
    String big = "x".repeat(3 << 20);
    String mid = "y".repeat(1 << 20);
    answers.put("/big", Answer.of("Cache-Control: max-age=60", big));
    answers.put("/mid", Answer.of("Cache-Control: max-age=60", mid));
    assertThat(get("web", "/big").body()).isEqualTo(big);
    assertThat(get("web", "/big").body()).isEqualTo(big);
    assertThat(seen("/big")).isEqualTo(2); // over the 2 MiB limit of this POP
    assertThat(get("web", "/mid").body()).isEqualTo(mid);
    assertThat(get("web", "/mid").body()).isEqualTo(mid);
    assertThat(seen("/mid")).isEqualTo(1);
  }

  private String purge(String... args) {
    java.io.StringWriter out = new java.io.StringWriter();
    java.io.StringWriter err = new java.io.StringWriter();
    List<String> argv = new ArrayList<>(List.of("cache", "purge"));
    argv.addAll(List.of(args));
    argv.addAll(List.of("--db", node.config().node().dbPath().toString()));
    int code = io.edgeproxy.tools.cli.Cli.run(Map.of(), new java.io.PrintWriter(out), new java.io.PrintWriter(err),
        argv.toArray(String[]::new));
    node.reloadNow();
    return code + " " + out + err;
  }

  @Test
  void purgesByPathPrefixTagAndAppDropWhatTheySelect() throws Exception {
    answers.put("/p/1", Answer.of("Cache-Control: max-age=600\r\nSurrogate-Key: red", "one {n}"));
    answers.put("/p/2", Answer.of("Cache-Control: max-age=600\r\nCache-Tag: blue,red", "two {n}"));
    answers.put("/q", Answer.of("Cache-Control: max-age=600", "q {n}"));
    for (String path : List.of("/p/1", "/p/2", "/q")) {
      get("web", path);
      assertThat(get("web", path).header("cache-status")).as(path).startsWith("edgeproxy; hit");
    }
    assertThat(purge("web", "/q")).startsWith("0 p-");
    assertThat(get("web", "/q").body()).isEqualTo("q 2");
    assertThat(get("web", "/p/1").body()).isEqualTo("one 1");
    assertThat(purge("web", "--tag", "red")).startsWith("0 p-");
    assertThat(get("web", "/p/1").body()).isEqualTo("one 2");
    assertThat(get("web", "/p/2").body()).isEqualTo("two 2");
    assertThat(purge("web", "--prefix", "/p/")).startsWith("0 p-");
    assertThat(get("web", "/p/2").body()).isEqualTo("two 3");
    assertThat(purge("web")).startsWith("0 p-");
    assertThat(get("web", "/q").body()).isEqualTo("q 3");
    // Bad input: a clear error, nothing written.
    assertThat(purge("web", "--prefix", "p/")).startsWith("2 ").contains("value: 'p/' (expected: a path, '/...')");
    assertThat(purge("bad app!", "/x")).startsWith("2 ").contains("expected: 1-128 letters");
    assertThat(purge("web", "/x", "--tag", "red")).startsWith("2 ").contains("give one of PATH, --prefix or --tag");
  }

  @Test
  void countersByAppShowInMetricsAndTheCli() throws Exception {
    answers.put("/m", Answer.of("Cache-Control: max-age=600", "metered"));
    get("web", "/m");
    get("web", "/m");
    get("web", "/other", "-X", "POST", "-d", "x");
    String metrics = run("curl", "-sS", "http://" + hostPort(node.adminAddress()) + "/metrics").out();
    assertThat(metrics).containsPattern("edge_cache_requests_total\\{app=\"web\",region=\"[^\"]+\",result=\"hit\"} 1.0")
        .containsPattern("edge_cache_requests_total\\{app=\"web\",region=\"[^\"]+\",result=\"miss\"} 1.0")
        .containsPattern("edge_cache_requests_total\\{app=\"web\",region=\"[^\"]+\",result=\"bypass\"} 1.0")
        .containsPattern("edge_cache_served_bytes_total\\{app=\"web\",region=\"[^\"]+\",tier=\"memory\"} 7.0")
        .containsPattern("edge_cache_served_bytes_total\\{app=\"web\",region=\"[^\"]+\",tier=\"disk\"} 0.0")
        .containsPattern("edge_cache_entries\\{region=\"[^\"]+\"} 1.0");
    java.io.StringWriter out = new java.io.StringWriter();
    assertThat(io.edgeproxy.tools.cli.Cli.run(Map.of(), new java.io.PrintWriter(out), new java.io.PrintWriter(new java.io.StringWriter()),
        "cache", "stats", "web", "--admin", hostPort(node.adminAddress()))).isZero();
    assertThat(out.toString()).contains("HIT RATIO").containsPattern("web +1 +1 +50.0 %");
  }
}
