package io.edgeproxy.tools.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The edge cache's disk tier under the faults a disk sees: an agent killed with -9 in the middle
 * of storing a response keeps everything it had finished (a 400 MiB object served again with the
 * same bytes by an agent whose heap is 256 MiB: bodies stream, they are never held whole) and
 * leaves nothing half-written behind; a disk that fills up loses no response (each is relayed
 * whole), says so, and keeps serving what it holds.
 */
@Timeout(300)
class CacheDiskIT {
  private static final int HTTP_PORT = FaultPops.HTTP_PORT;
  private static final long BIG = 400L << 20;
  @TempDir Path dir;
  private final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();
  private final CountDownLatch slowStarted = new CountDownLatch(1);
  private final CountDownLatch slowRelease = new CountDownLatch(1);

  /** An origin at the lab's gateway: /small, /big (400 MiB), /slow (stalls after 1 MiB), /f* (3 MiB); all max-age=600. */
  private HttpServer origin(FaultPops pops) throws IOException {
    HttpServer origin = HttpServer.create(new InetSocketAddress(pops.lab.gateway(), 0), 50);
    origin.createContext("/", exchange -> {
      String path = exchange.getRequestURI().getPath();
      int n = served.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
      exchange.getResponseHeaders().set("Cache-Control", "max-age=600");
      try (OutputStream out = exchange.getResponseBody()) {
        switch (path) {
          case "/small" -> {
            byte[] body = ("small " + n).getBytes(StandardCharsets.US_ASCII);
            exchange.sendResponseHeaders(200, body.length);
            out.write(body);
          }
          case "/big" -> pattern(exchange, out, BIG, 1);
          case "/slow" -> {
            exchange.sendResponseHeaders(200, 10L << 20);
            out.write(new byte[1 << 20]);
            out.flush();
            slowStarted.countDown();
            slowRelease.await(120, TimeUnit.SECONDS);
            out.write(new byte[9 << 20]);
          }
          default -> pattern(exchange, out, 3L << 20, path.hashCode());
        }
      } catch (IOException | InterruptedException e) {
        exchange.close(); // the client (the killed agent) went away
      }
    });
    origin.start();
    return origin;
  }

  private static void pattern(HttpExchange exchange, OutputStream out, long length, int seed) throws IOException {
    exchange.sendResponseHeaders(200, length);
    byte[] chunk = new byte[1 << 20];
    for (long at = 0; at < length; at += chunk.length) {
      fillPattern(chunk, at, seed);
      out.write(chunk, 0, (int) Math.min(chunk.length, length - at));
    }
  }

  private static void fillPattern(byte[] chunk, long at, int seed) {
    for (int i = 0; i < chunk.length; i++) {
      long x = at + i;
      chunk[i] = (byte) (x * 31 + (x >>> 9) + seed);
    }
  }

  private static String sha256Of(long length, int seed) throws Exception {
    MessageDigest sha = MessageDigest.getInstance("SHA-256");
    byte[] chunk = new byte[1 << 20];
    for (long at = 0; at < length; at += chunk.length) {
      fillPattern(chunk, at, seed);
      sha.update(chunk, 0, (int) Math.min(chunk.length, length - at));
    }
    return HexFormat.of().formatHex(sha.digest());
  }

  private FaultPops.Pop pop(FaultPops pops, Path cacheDir, String maxBytes) {
    FaultPops.Pop a = pops.pop("pop-a");
    pops.withHttpEdge();
    a.env.put("EDGEPROXY_CACHE_DIR", cacheDir.toString());
    a.env.put("EDGEPROXY_CACHE_MAX_BYTES", maxBytes);
    a.env.put("EDGEPROXY_CACHE_MEMORY_BYTES", "16m"); // bodies above 1 MiB live on disk only
    a.env.put("EDGEPROXY_CACHE_MAX_OBJECT_BYTES", "1g");
    return a;
  }

  private static void app(FaultPops pops, FaultPops.Pop a, HttpServer origin) {
    a.sql(pops.httpSite(origin.getAddress().getPort(), "cache", "1"));
  }

  @Test
  void aKillNineKeepsWhatWasStoredAndLeavesNothingHalfWritten() throws Exception {
    try (FaultPops pops = new FaultPops(dir, "pop-a")) {
      HttpServer origin = origin(pops);
      Path cache = dir.resolve("cache-a");
      try {
        FaultPops.Pop a = pop(pops, cache, "2g");
        pops.startAll();
        app(pops, a, origin);
        await().atMost(Duration.ofSeconds(15)).until(() -> get(a, "/small").body().startsWith("small"));
        Got big = get(a, "/big");
        assertThat(big.body()).isEqualTo(sha256Of(BIG, 1));
        assertThat(big.cacheStatus()).contains("stored");
        assertThat(get(a, "/big").cacheStatus()).contains("hit").contains("detail=disk");

        Process slow = new ProcessBuilder("curl", "-sS", "--max-time", "60", "-o", "/dev/null", "-H", "Host: site.apps.test",
            "http://" + a.ip() + ":" + HTTP_PORT + "/slow").start();
        assertThat(slowStarted.await(30, TimeUnit.SECONDS)).isTrue();
        await().atMost(Duration.ofSeconds(10)).until(() -> files(cache, ".tmp") == 1); // its first MiB is being stored
        a.kill();
        slow.destroyForcibly();

        a.start();
        assertThat(files(cache, ".tmp")).as("the unfinished store was removed").isZero();
        Got small = get(a, "/small");
        assertThat(small.body()).isEqualTo("small 1");
        assertThat(small.cacheStatus()).contains("hit");
        Got again = get(a, "/big");
        assertThat(again.cacheStatus()).contains("hit");
        assertThat(again.body()).as("the same bytes, streamed from disk by a 256 MiB heap").isEqualTo(sha256Of(BIG, 1));
        assertThat(served.get("/big").get()).isEqualTo(1);
        assertThat(served.get("/small").get()).isEqualTo(1);
        assertThat(a.log()).contains("cache: disk tier").contains("1 unfinished or damaged files removed");
      } finally {
        slowRelease.countDown();
        origin.stop(0);
      }
    }
  }

  @Test
  void aFullCacheDiskLosesNoResponseAndKeepsServingWhatItHolds() throws Exception {
    try (FaultPops pops = new FaultPops(dir, "pop-a")) {
      HttpServer origin = origin(pops);
      Path cache = dir.resolve("cache-a");
      Files.createDirectories(cache);
      FaultPops.run("mount", "-t", "tmpfs", "-o", "size=8m", "edgeproxy-cache-test", cache.toString());
      try {
        FaultPops.Pop a = pop(pops, cache, "1g"); // more than the disk has: the disk fills before the bound
        pops.startAll();
        app(pops, a, origin);
        await().atMost(Duration.ofSeconds(15)).until(() -> get(a, "/small").body().startsWith("small"));
        for (String f : List.of("/f1", "/f2", "/f3", "/f4")) {
          Got got = get(a, f);
          assertThat(got.status()).isEqualTo(200);
          assertThat(got.body()).as(f + " relayed whole").isEqualTo(sha256Of(3L << 20, f.hashCode()));
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> files(cache, ".tmp") == 0);
        assertThat(a.metrics()).containsPattern("edge_cache_disk_errors_total(\\{[^}]*\\})? [1-9]");
        assertThat(a.admin("/v1/cache").path("disk").path("lastError").asText()).containsIgnoringCase("no space");
        assertThat(a.log()).containsIgnoringCase("no space left");
        assertThat(get(a, "/f1").cacheStatus()).as("what was stored before the disk filled").contains("hit");
        assertThat(get(a, "/small").cacheStatus()).as("memory serves on").contains("hit");
        assertThat(served.get("/f1").get()).isEqualTo(1);
      } finally {
        origin.stop(0);
        FaultPops.run("umount", "-l", cache.toString());
      }
    }
  }

  private static long files(Path dir, String suffix) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(suffix)).count();
    }
  }

  /** A response through the POP's plain HTTP listener: status, Cache-Status, and the body (the SHA-256 of bodies over 1 KiB). */
  private record Got(int status, String cacheStatus, String body) {}

  private Got get(FaultPops.Pop pop, String path) throws Exception {
    Path headers = Files.createTempFile(dir, "h", ".txt");
    Path body = Files.createTempFile(dir, "b", ".bin");
    try {
      Process p = new ProcessBuilder("curl", "-sS", "--max-time", "60", "-D", headers.toString(), "-o", body.toString(),
          "-w", "%{http_code}", "-H", "Host: site.apps.test", "http://" + pop.ip() + ":" + HTTP_PORT + path)
          .redirectErrorStream(true).start();
      String code = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
      p.waitFor(90, TimeUnit.SECONDS);
      String status = "";
      for (String line : Files.readAllLines(headers)) {
        if (line.toLowerCase(java.util.Locale.ROOT).startsWith("cache-status:")) {
          status = line.substring(13).strip();
        }
      }
      long size = Files.size(body);
      String content;
      if (size <= 1024) {
        content = Files.readString(body);
      } else {
        MessageDigest sha = MessageDigest.getInstance("SHA-256");
        try (var in = Files.newInputStream(body)) {
          byte[] buf = new byte[1 << 20];
          for (int n; (n = in.read(buf)) > 0; ) {
            sha.update(buf, 0, n);
          }
        }
        content = HexFormat.of().formatHex(sha.digest());
      }
      return new Got(code.matches("\\d{3}") ? Integer.parseInt(code) : 0, status, content);
    } finally {
      Files.deleteIfExists(headers);
      Files.deleteIfExists(body);
    }
  }
}
