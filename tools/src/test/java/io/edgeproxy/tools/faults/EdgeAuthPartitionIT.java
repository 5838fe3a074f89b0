package io.edgeproxy.tools.faults;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Edge auth across a partition: two agents in their own network namespaces guard one app with
 * client tokens. A token made on A while B is cut off is refused by B (it has not heard of it) and
 * accepted there after the heal; a token revoked on B while cut off keeps working on A until the
 * heal, then stops working there too. Each POP decides from its own replica, never by asking.
 */
@Timeout(240)
class EdgeAuthPartitionIT {
  private static final int HTTP_PORT = FaultPops.HTTP_PORT;
  @TempDir Path dir;

  @Test
  void tokensMadeOrRevokedDuringAPartitionReachTheOtherPopAfterTheHeal() throws Exception {
    try (FaultPops pops = new FaultPops(dir, "pop-a", "pop-b")) {
      int origin = pops.origin(exchange -> {
        byte[] body = "private page".getBytes(StandardCharsets.US_ASCII);
        exchange.sendResponseHeaders(200, body.length);
        exchange.getResponseBody().write(body);
        exchange.close();
      });
      pops.withHttpEdge();
      FaultPops.Pop a = pops.pop("pop-a");
      FaultPops.Pop b = pops.pop("pop-b");
      pops.startAll();
      pops.awaitConnected(Duration.ofSeconds(30));
      a.sql(pops.httpSite(origin, "auth", "'token'"));
      String early = token(a, "early");
      await().atMost(Duration.ofSeconds(15)).until(() -> status(b, early) == 200);
      assertThat(status(b, null)).isEqualTo(401);

      pops.lab.partition(a.host, b.host);
      String late = token(a, "late");
      b.sql("DELETE FROM client_tokens WHERE note = 'early';");
      await().atMost(Duration.ofSeconds(5)).until(() -> status(a, late) == 200 && status(b, early) == 401);
      for (int i = 0; i < 6; i++) {
        assertThat(status(b, late)).as("cut off, B has not heard of the new token").isEqualTo(401);
        assertThat(status(a, early)).as("cut off, A has not heard of the revocation").isEqualTo(200);
        Thread.sleep(500);
      }

      pops.lab.heal(a.host, b.host);
      long healed = System.nanoTime();
      await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100))
          .until(() -> status(b, late) == 200 && status(a, early) == 401);
      System.out.println("edge auth converged " + (System.nanoTime() - healed) / 1_000_000 + " ms after the heal");
    }
  }

  /** {@code edgeproxy token create --client site} on {@code pop}'s routing.db, as an operator does. */
  private static String token(FaultPops.Pop pop, String note) throws Exception {
    Process p = new ProcessBuilder(ProcessHandle.current().info().command().orElse("java"), "-jar",
        Path.of("target/edgeproxy.jar").toAbsolutePath().toString(), "token", "create", "--client", "site", "--note", note,
        "--db", pop.db().toString()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
    assertThat(p.waitFor()).isZero();
    assertThat(out).startsWith("edc_");
    return out;
  }

  /** The status of GET / of app site on {@code pop}'s plain HTTP listener with {@code token} (or none); 0 when it fails. */
  private static int status(FaultPops.Pop pop, String token) {
    try {
      java.util.List<String> command = new java.util.ArrayList<>(java.util.List.of("curl", "-sS", "-o", "/dev/null", "-w",
          "%{http_code}", "--max-time", "3", "-H", "Host: site.apps.test"));
      if (token != null) {
        command.addAll(java.util.List.of("-H", "Authorization: Bearer " + token));
      }
      command.add("http://" + pop.ip() + ":" + HTTP_PORT + "/");
      Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
      String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).strip();
      p.waitFor();
      return out.matches("\\d{3}") ? Integer.parseInt(out) : 0;
    } catch (Exception e) {
      return 0;
    }
  }
}
