package io.edgeproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.testing.LocalPorts;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ProxyFailoverIT {
  /** A loopback port with nothing listening: connects to it are refused at once. */
  private static int refusingPort() throws Exception {
    return LocalPorts.tcp().getPort();
  }

  @Test
  void aRefusingBackendIsSkippedAndTheNextBestServesTheClient() throws Exception {
    try (TestBackend good = TestBackend.named("good"); ProxyHarness proxy = ProxyHarness.start()) {
      // The dead backend is in the POP's region (tier 2) and so preferred; "good" is elsewhere (tier 3).
      proxy.route(ProxyHarness.backend("dead", "sa", refusingPort()), ProxyHarness.backend("good", "eu", good.port()));
      try (Socket client = proxy.connect()) {
        assertThat(TestBackend.readLine(client.getInputStream())).isEqualTo("good");
      }
      assertThat(proxy.server.stats().connectFailuresTotal()).isEqualTo(1);
      assertThat(proxy.state.current().routesFor("web").byId("dead").load().active()).isZero();
    }
  }

  @Test
  void whenEveryBackendIsDownTheClientIsClosedPromptly() throws Exception {
    try (ProxyHarness proxy = ProxyHarness.start()) {
      proxy.route(ProxyHarness.backend("d1", "sa", refusingPort()), ProxyHarness.backend("d2", "eu", refusingPort()));
      long start = System.nanoTime();
      try (Socket client = proxy.connect()) {
        assertThat(client.getInputStream().read()).isEqualTo(-1);
      }
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(1));
      assertThat(proxy.server.stats().connectFailuresTotal()).isEqualTo(2);
    }
  }

  @Test
  void withNoBackendAtAllTheClientIsClosedAtOnce() throws Exception {
    try (ProxyHarness proxy = ProxyHarness.start()) {
      try (Socket client = proxy.connect()) {
        assertThat(client.getInputStream().read()).isEqualTo(-1);
      }
      assertThat(proxy.server.stats().refusedTotal()).isEqualTo(1);
    }
  }

  @Test
  void aBackendThatDoesNotAnswerTimesOutAndTheNextOneServes() throws Exception {
    // A listener whose accept queue is full drops new SYNs, so connecting to it hangs.
    try (ServerSocket blackhole = new ServerSocket();
        TestBackend good = TestBackend.named("good");
        ProxyHarness proxy = ProxyHarness.start(c -> c.withConnectTimeout(Duration.ofMillis(300)))) {
      blackhole.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 1);
      List<Socket> fillers = new ArrayList<>();
      for (int i = 0; i < 8; i++) {
        Socket s = new Socket();
        try {
          s.connect(blackhole.getLocalSocketAddress(), 100);
          fillers.add(s);
        } catch (java.io.IOException e) {
          s.close();
          break; // the queue is full: connects now hang
        }
      }
      proxy.route(ProxyHarness.backend("slow", "sa", blackhole.getLocalPort()), ProxyHarness.backend("good", "eu", good.port()));
      long start = System.nanoTime();
      try (Socket client = proxy.connect()) {
        assertThat(TestBackend.readLine(client.getInputStream())).isEqualTo("good");
      }
      Duration took = Duration.ofNanos(System.nanoTime() - start);
      assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(250)).isLessThan(Duration.ofSeconds(3));
      for (Socket s : fillers) {
        s.close();
      }
    }
  }

  @Test
  void aBackendFailingRepeatedlyIsEjectedForTheCoolDown() throws Exception {
    try (TestBackend good = TestBackend.named("good");
        ProxyHarness proxy = ProxyHarness.startWithoutAffinity(c -> c.withEjection(2, Duration.ofSeconds(30)))) {
      Backend dead = ProxyHarness.backend("dead", "sa", refusingPort());
      proxy.route(dead, ProxyHarness.backend("good", "eu", good.port()));
      for (int i = 0; i < 5; i++) {
        try (Socket client = proxy.connect()) {
          assertThat(TestBackend.readLine(client.getInputStream())).isEqualTo("good");
        }
      }
      // Two failures ejected "dead"; the three later clients went straight to "good".
      assertThat(proxy.server.stats().connectFailuresTotal()).isEqualTo(2);
    }
  }
}
