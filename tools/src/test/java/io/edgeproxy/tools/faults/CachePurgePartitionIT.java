package io.edgeproxy.tools.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * A cache purge made while a POP is cut off: two agents in their own network namespaces cache one
 * app's page; the link between them is cut; a purge written on A (the CLI, as an operator does)
 * drops A's copy at once while B, cut off, keeps serving its own; after the heal B drops its copy
 * too, without anyone repeating the purge.
 */
@Timeout(240)
class CachePurgePartitionIT {
  private static final int HTTP_PORT = FaultPops.HTTP_PORT;
  @TempDir Path dir;

  @Test
  void aPurgeMadeDuringAPartitionReachesTheCutOffPopAfterTheHeal() throws Exception {
    try (FaultPops pops = new FaultPops(dir, "pop-a", "pop-b")) {
      AtomicInteger served = new AtomicInteger();
      int origin = pops.origin(exchange -> {
        byte[] body = ("version " + served.incrementAndGet()).getBytes(StandardCharsets.US_ASCII);
        exchange.getResponseHeaders().set("Cache-Control", "max-age=600");
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
      });
      pops.withHttpEdge();
      FaultPops.Pop a = pops.pop("pop-a");
      FaultPops.Pop b = pops.pop("pop-b");
      pops.startAll();
      pops.awaitConnected(Duration.ofSeconds(30));
      a.sql(pops.httpSite(origin, "cache", "1"));
      await().atMost(Duration.ofSeconds(15)).until(() -> page(b).startsWith("version"));
      String onA = page(a);
      String onB = page(b);
      assertThat(page(a)).isEqualTo(onA); // each POP serves its own copy from now on
      assertThat(page(b)).isEqualTo(onB);
      int before = served.get();

      pops.lab.partition(a.host, b.host);
      Ran purge = exec(ProcessHandle.current().info().command().orElse("java"), "-jar",
          Path.of("target/edgeproxy.jar").toAbsolutePath().toString(), "cache", "purge", "site", "/page", "--db", a.db().toString());
      assertThat(purge.exit()).as(purge.out()).isZero();
      await().atMost(Duration.ofSeconds(5)).until(() -> !page(a).equals(onA));
      assertThat(served.get()).isEqualTo(before + 1);
      for (int i = 0; i < 6; i++) {
        assertThat(page(b)).as("cut off, B does not know of the purge yet").isEqualTo(onB);
        Thread.sleep(500);
      }

      pops.lab.heal(a.host, b.host);
      long healed = System.nanoTime();
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).until(() -> !page(b).equals(onB));
      System.out.println("purge applied on pop-b " + (System.nanoTime() - healed) / 1_000_000 + " ms after the heal");
      assertThat(served.get()).isEqualTo(before + 2);
    }
  }

  /** GET /page of app site through {@code pop}'s plain HTTP listener (curl), or "" when it fails. */
  private static String page(FaultPops.Pop pop) {
    try {
      Ran r = exec("curl", "-sS", "--max-time", "3", "-H", "Host: site.apps.test", "http://" + pop.ip() + ":" + HTTP_PORT + "/page");
      return r.exit() == 0 ? r.out() : "";
    } catch (Exception e) {
      return "";
    }
  }

  private record Ran(int exit, String out) {}

  private static Ran exec(String... command) throws Exception {
    Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(p.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)).isTrue();
    return new Ran(p.exitValue(), out);
  }
}
