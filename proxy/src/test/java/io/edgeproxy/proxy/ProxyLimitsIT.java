package io.edgeproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.routing.Backend;
import java.io.IOException;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(120)
class ProxyLimitsIT {
  @Test
  void fiveHundredConcurrentConnectsNeverExceedTheHardLimits() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    TestBackend.Behavior hold = socket -> {
      socket.getOutputStream().write('+');
      release.await();
    };
    try (TestBackend a = TestBackend.start(hold); TestBackend b = TestBackend.start(hold);
        ProxyHarness proxy = ProxyHarness.start()) {
      proxy.route(ProxyHarness.backend("a", a).withLimits(10, 40), ProxyHarness.backend("b", "eu", b.port()).withLimits(10, 60));
      CountDownLatch go = new CountDownLatch(1);
      List<Future<Boolean>> results = new ArrayList<>();
      List<Socket> sockets = java.util.Collections.synchronizedList(new ArrayList<>());
      try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
        for (int i = 0; i < 500; i++) {
          results.add(pool.submit(() -> {
            go.await();
            Socket s = proxy.connect();
            sockets.add(s);
            s.setSoTimeout(5_000);
            try {
              return s.getInputStream().read() == '+';
            } catch (SocketTimeoutException e) {
              return false;
            }
          }));
        }
        go.countDown();
        int served = 0;
        for (Future<Boolean> r : results) {
          served += r.get() ? 1 : 0;
        }
        assertThat(a.maxOpen()).isLessThanOrEqualTo(40);
        assertThat(b.maxOpen()).isLessThanOrEqualTo(60);
        assertThat(served).isEqualTo(100);
        assertThat(proxy.server.stats().refusedTotal()).isEqualTo(400);
      } finally {
        release.countDown();
        for (Socket s : sockets) {
          closeQuietly(s);
        }
      }
      await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
        assertThat(proxy.state.current().routesFor("web").byId("a").load().active()).isZero();
        assertThat(proxy.state.current().routesFor("web").byId("b").load().active()).isZero();
      });
    }
  }

  @Test
  void aClientSticksToItsBackendAndIsMovedWhenItBecomesUnhealthy() throws Exception {
    try (TestBackend one = TestBackend.named("one"); TestBackend two = TestBackend.named("two");
        ProxyHarness proxy = ProxyHarness.start()) {
      Backend b1 = ProxyHarness.backend("one", one);
      Backend b2 = ProxyHarness.backend("two", two);
      proxy.route(b1, b2);
      String first = nameServed(proxy);
      for (int i = 0; i < 10; i++) {
        assertThat(nameServed(proxy)).isEqualTo(first);
      }
      proxy.route(first.equals("one") ? b1.withHealthy(false) : b1, first.equals("two") ? b2.withHealthy(false) : b2);
      String moved = nameServed(proxy);
      assertThat(moved).isNotEqualTo(first);
      // The new binding sticks too, even after the old backend is healthy again.
      proxy.route(b1, b2);
      assertThat(nameServed(proxy)).isEqualTo(moved);
    }
  }

  private static String nameServed(ProxyHarness proxy) throws IOException {
    try (Socket client = proxy.connect()) {
      return TestBackend.readLine(client.getInputStream());
    }
  }

  private static void closeQuietly(Socket s) {
    try {
      s.close();
    } catch (IOException e) {
      // closing
    }
  }
}
