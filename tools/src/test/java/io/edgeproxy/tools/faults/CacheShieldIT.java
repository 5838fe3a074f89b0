package io.edgeproxy.tools.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * The regional shield: three agents of one region, each in its own network namespace, cache one
 * app. A key asked at all three, one after another or all at once, reaches the origin once: the
 * POPs ask the key's shield (one of them, the same for all) over their mutual-TLS links, and the
 * shield collapses their misses. When the shield is killed (-9), the others go to the origin
 * themselves at once, and then share a new shield among the two of them.
 */
@Timeout(300)
class CacheShieldIT {
  @TempDir Path dir;
  private final Map<String, AtomicInteger> served = new ConcurrentHashMap<>();

  @Test
  void threePopsOfARegionShareOneShieldPerKeyAndGoOnWithoutIt() throws Exception {
    try (FaultPops pops = new FaultPops(dir, "pop-a", "pop-b", "pop-c")) {
      int origin = pops.origin(exchange -> {
        String path = exchange.getRequestURI().getPath();
        int n = served.computeIfAbsent(path, k -> new AtomicInteger()).incrementAndGet();
        try {
          Thread.sleep(200); // a distant origin: misses overlap
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
        byte[] body = (path + " version " + n).getBytes(StandardCharsets.US_ASCII);
        exchange.getResponseHeaders().set("Cache-Control", "max-age=600");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
      });
      ExecutorService clients = Executors.newFixedThreadPool(30);
      try {
        pops.withHttpEdge();
        pops.startAll();
        pops.awaitConnected(Duration.ofSeconds(30));
        List<FaultPops.Pop> all = pops.all();
        all.getFirst().sql(pops.httpSite(origin, "cache", "1"));
        await().atMost(Duration.ofSeconds(15)).until(() -> all.stream().allMatch(p -> get(p, "/warm").status() == 200));

        // One after another: the first POP's miss fills the shield, the others find it there.
        List<String> statuses = new ArrayList<>();
        for (FaultPops.Pop p : all) {
          Got got = get(p, "/one");
          assertThat(got.body()).isEqualTo("/one version 1");
          statuses.add(p.name + ": " + got.cacheStatus());
        }
        System.out.println("Cache-Status of /one at each POP: " + statuses);
        assertThat(served.get("/one").get()).isEqualTo(1);
        assertThat(String.join("\n", statuses)).contains("edgeproxy-shield/pop-");
        FaultPops.Pop shieldOfOne = all.stream().filter(p -> String.join("\n", statuses).contains("edgeproxy-shield/" + p.name + ";"))
            .findFirst().orElseThrow();
        assertThat(shieldOfOne.metrics()).as("the shield counts what other POPs asked it, apart from its own requests")
            .containsPattern("edge_cache_shield_requests_total\\{app=\"site\",region=\"sa\",result=\"hit\"} [1-9]")
            .containsPattern("edge_cache_shield_requests_total\\{app=\"site\",region=\"sa\",result=\"miss\"} [1-9]");
        assertThat(shieldOfOne.admin("/v1/cache").path("shield").get(0).path("hits").asLong()).isPositive();

        // All at once: 10 clients at each POP; the shield collapses the three POPs' misses into one.
        List<Future<Got>> at = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
          for (FaultPops.Pop p : all) {
            at.add(clients.submit(() -> get(p, "/many")));
          }
        }
        for (Future<Got> f : at) {
          assertThat(f.get().body()).isEqualTo("/many version 1");
        }
        assertThat(served.get("/many").get()).as("30 concurrent misses at three POPs").isEqualTo(1);

        // The shield of a key asked at pop-a goes away (kill -9): the others answer at once from the origin.
        FaultPops.Pop asker = all.getFirst();
        FaultPops.Pop shield = null;
        for (int k = 0; shield == null; k++) {
          String status = get(asker, "/lost-" + k).cacheStatus();
          shield = all.stream().filter(p -> status.contains("edgeproxy-shield/" + p.name + ";")).findFirst().orElse(null);
        }
        shield.kill();
        FaultPops.Pop dead = shield;
        List<FaultPops.Pop> left = all.stream().filter(p -> p != dead).toList();
        long killed = System.nanoTime();
        for (int k = 0; k < 20; k++) {
          for (FaultPops.Pop p : left) {
            long started = System.nanoTime();
            Got got = get(p, "/after-" + k);
            long ms = (System.nanoTime() - started) / 1_000_000;
            assertThat(got.status()).as("%s /after-%d: %s", p.name, k, got.cacheStatus()).isEqualTo(200);
            // the origin takes 200 ms; a dead shield costs at most the connect timeout (500 ms here), once per 10 s
            assertThat(ms).as("%s /after-%d", p.name, k).isLessThan(1_500);
          }
        }
        System.out.println("40 requests at the two POPs left, shield dead: " + (System.nanoTime() - killed) / 1_000_000 + " ms");
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).until(() -> {
          String key = "/new-" + System.nanoTime();
          for (FaultPops.Pop p : left) {
            get(p, key);
          }
          return served.get(key).get() == 1; // the two share a shield again
        });
      } finally {
        clients.shutdownNow();
      }
    }
  }

  private record Got(int status, String cacheStatus, String body) {}

  /** GET {@code path} of app site through {@code pop}'s plain HTTP listener (curl). */
  private Got get(FaultPops.Pop pop, String path) {
    try {
      Path headers = Files.createTempFile(dir, "h", ".txt");
      Process p = new ProcessBuilder("curl", "-sS", "--max-time", "10", "-D", headers.toString(), "-w", "\n%{http_code}", "-H",
          "Host: site.apps.test", "http://" + pop.ip() + ":" + FaultPops.HTTP_PORT + path).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      p.waitFor();
      String cacheStatus = "";
      for (String line : Files.readAllLines(headers)) {
        if (line.toLowerCase(java.util.Locale.ROOT).startsWith("cache-status:")) {
          cacheStatus = line.substring(13).strip();
        }
      }
      Files.deleteIfExists(headers);
      int cut = out.lastIndexOf('\n');
      String code = out.substring(cut + 1).strip();
      return new Got(code.matches("\\d{3}") ? Integer.parseInt(code) : 0, cacheStatus, cut < 0 ? "" : out.substring(0, cut));
    } catch (Exception e) {
      return new Got(0, "", e.toString());
    }
  }
}
