package io.edgeproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.geo.RegionMap;
import io.edgeproxy.core.routing.AppSettings;
import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.routing.BackendLoad;
import io.edgeproxy.core.routing.HealthCheck;
import io.edgeproxy.core.routing.LoadBoard;
import io.edgeproxy.core.routing.RoutingData;
import io.edgeproxy.core.routing.RoutingState;
import io.edgeproxy.proxy.health.ActiveHealthChecker;
import io.edgeproxy.proxy.health.BackendHealth;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Active health checks against real backends on 127.0.0.1, with 100 ms intervals. */
@Timeout(60)
class HealthCheckIT {
  private static final Duration INTERVAL = Duration.ofMillis(100);
  private static final Duration WAIT = Duration.ofSeconds(10);

  private final RoutingState state = new RoutingState("sa", new LoadBoard());
  private final List<AutoCloseable> closeLater = new ArrayList<>();

  @AfterEach
  void closeAll() throws Exception {
    for (int i = closeLater.size() - 1; i >= 0; i--) {
      closeLater.get(i).close();
    }
  }

  private <T extends AutoCloseable> T later(T resource) {
    closeLater.add(resource);
    return resource;
  }

  static HealthCheck tcp(int rise, int fall) {
    return new HealthCheck(HealthCheck.Type.TCP, "/", INTERVAL, Duration.ofMillis(500), rise, fall);
  }

  static HealthCheck http(String path, Duration timeout, int rise, int fall) {
    return new HealthCheck(HealthCheck.Type.HTTP, path, INTERVAL, timeout, rise, fall);
  }

  static Backend backend(String id, String app, int port) {
    return new Backend(id, app, "sa", null, InetAddress.getLoopbackAddress(), port, true, 1, 100, 0);
  }

  static void publish(RoutingState state, List<Backend> backends, Map<String, HealthCheck> checks) {
    Map<String, AppSettings> apps = new java.util.HashMap<>();
    checks.forEach((app, check) -> apps.put(app, AppSettings.defaults(app).withHealthCheck(check)));
    state.publish(new RoutingData(backends, RegionMap.defaults(), apps));
  }

  /**
   * An HTTP backend answering every request with {@code status}, recording each request's head;
   * a connection whose first line is not a GET is answered with {@code name} (a proxied client).
   */
  static TestBackend httpBackend(String name, AtomicInteger status, Queue<String> requests) throws IOException {
    return TestBackend.start(socket -> {
      InputStream in = socket.getInputStream();
      String first = TestBackend.readLine(in).strip();
      if (!first.startsWith("GET ")) {
        socket.getOutputStream().write((name + "\n").getBytes(StandardCharsets.US_ASCII));
        in.transferTo(java.io.OutputStream.nullOutputStream());
        return;
      }
      StringBuilder head = new StringBuilder(first);
      for (String line = TestBackend.readLine(in).strip(); !line.isEmpty(); line = TestBackend.readLine(in).strip()) {
        head.append('\n').append(line);
      }
      requests.add(head.toString());
      socket.getOutputStream().write(("HTTP/1.1 " + status.get() + " X\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
          .getBytes(StandardCharsets.US_ASCII));
    });
  }

  /** Listens on {@code port} of 127.0.0.1 again, accepting and closing every connection. */
  private ServerSocket listenOn(int port) throws IOException {
    ServerSocket server = new ServerSocket();
    server.setReuseAddress(true);
    server.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port), 50);
    Thread.ofVirtual().start(() -> {
      while (!server.isClosed()) {
        try {
          server.accept().close();
        } catch (IOException e) {
          return;
        }
      }
    });
    return later(server);
  }

  private ActiveHealthChecker checker() {
    return later(ActiveHealthChecker.start(state));
  }

  private BackendHealth health(ActiveHealthChecker checker, String id) {
    BackendHealth h = checker.healthOf(id);
    assertThat(h).as("health of " + id).isNotNull();
    return h;
  }

  /** Passes once {@code count} has not changed for {@code quiet}; fails if it keeps changing. */
  private static void awaitNoMoreChanges(Supplier<Integer> count, Duration quiet) {
    AtomicInteger last = new AtomicInteger(-1);
    await().during(quiet).atMost(quiet.multipliedBy(6)).until(() -> last.getAndSet(count.get()) == count.get());
  }

  @Test
  void aTcpCheckTakesAClosedPortOutAfterFallFailuresAndBringsItBackAfterRiseSuccesses() throws Exception {
    ServerSocket server = listenOn(0);
    int port = server.getLocalPort();
    publish(state, List.of(backend("b1", "web", port)), Map.of("web", tcp(2, 3)));
    BackendLoad load = state.loads().loadOf("b1");
    ActiveHealthChecker checker = checker();
    await().atMost(WAIT).until(() -> checker.healthOf("b1") != null && health(checker, "b1").checksTotal() >= 3);
    assertThat(health(checker, "b1")).returns(true, BackendHealth::up).returns("connected", BackendHealth::lastResult)
        .returns(0L, BackendHealth::failuresTotal);
    assertThat(load.isCheckFailing()).isFalse();

    server.close();
    await().atMost(WAIT).until(load::isCheckFailing);
    BackendHealth down = health(checker, "b1");
    assertThat(down.up()).isFalse();
    assertThat(down.consecutiveFailures()).isGreaterThanOrEqualTo(3);
    assertThat(down.lastResult()).isEqualTo("refused");
    assertThat(down.lastCheck()).isNotNull();
    assertThat(load.isDownHere(System.nanoTime())).isTrue();

    listenOn(port);
    await().atMost(WAIT).until(() -> !load.isCheckFailing());
    BackendHealth up = health(checker, "b1");
    assertThat(up.up()).isTrue();
    assertThat(up.consecutiveSuccesses()).isGreaterThanOrEqualTo(2);
    assertThat(up.failuresTotal()).isGreaterThanOrEqualTo(3);
    assertThat(up.checksTotal()).isGreaterThan(up.failuresTotal());
  }

  @Test
  void anHttpCheckMarksA503BackendDownAndA200BackendUp() throws Exception {
    AtomicInteger sickStatus = new AtomicInteger(503);
    Queue<String> sickRequests = new ConcurrentLinkedQueue<>();
    Queue<String> fineRequests = new ConcurrentLinkedQueue<>();
    TestBackend sick = later(httpBackend("sick", sickStatus, sickRequests));
    TestBackend fine = later(httpBackend("fine", new AtomicInteger(200), fineRequests));
    publish(state, List.of(backend("sick", "web", sick.port()), backend("fine", "web", fine.port())),
        Map.of("web", http("/healthz", Duration.ofSeconds(1), 2, 2)));
    BackendLoad sickLoad = state.loads().loadOf("sick");
    BackendLoad fineLoad = state.loads().loadOf("fine");
    ActiveHealthChecker checker = checker();

    await().atMost(WAIT).until(sickLoad::isCheckFailing);
    assertThat(health(checker, "sick").lastResult()).isEqualTo("HTTP 503");
    await().atMost(WAIT).until(() -> health(checker, "fine").checksTotal() >= 3);
    assertThat(health(checker, "fine")).returns(true, BackendHealth::up).returns("HTTP 200", BackendHealth::lastResult)
        .returns(0L, BackendHealth::failuresTotal);
    assertThat(fineLoad.isCheckFailing()).isFalse();
    assertThat(fineRequests.peek()).isEqualTo("GET /healthz HTTP/1.1\nHost: 127.0.0.1:" + fine.port()
        + "\nConnection: close\nUser-Agent: edgeproxy-health-check\nAccept: */*");

    sickStatus.set(200);
    await().atMost(WAIT).until(() -> !sickLoad.isCheckFailing());
    assertThat(health(checker, "sick").lastResult()).isEqualTo("HTTP 200");
  }

  @Test
  void aServerThatAcceptsButNeverAnswersFailsTheHttpCheckByTimeoutButPassesTcp() throws Exception {
    TestBackend silent = later(TestBackend.start(socket -> socket.getInputStream().transferTo(java.io.OutputStream.nullOutputStream())));
    publish(state, List.of(backend("h", "web", silent.port()), backend("t", "raw", silent.port())),
        Map.of("web", http("/", Duration.ofMillis(200), 1, 2), "raw", tcp(1, 2)));
    BackendLoad httpLoad = state.loads().loadOf("h");
    ActiveHealthChecker checker = checker();

    await().atMost(WAIT).until(httpLoad::isCheckFailing);
    assertThat(health(checker, "h").lastResult()).isEqualTo("timeout (no HTTP status line within 200 ms)");
    await().atMost(WAIT).until(() -> health(checker, "t").checksTotal() >= 3);
    assertThat(health(checker, "t").failuresTotal()).isZero();
    assertThat(state.loads().loadOf("t").isCheckFailing()).isFalse();
    // Timed-out probes are closed, not left open.
    await().atMost(WAIT).until(() -> silent.openNow() <= 2);
  }

  @Test
  void backendsMarkedUnhealthyInRoutingDbAreNotProbed() throws Exception {
    TestBackend server = later(httpBackend("x", new AtomicInteger(200), new ConcurrentLinkedQueue<>()));
    publish(state, List.of(backend("off", "web", server.port()).withHealthy(false)), Map.of("web", http("/", Duration.ofSeconds(1), 1, 1)));
    ActiveHealthChecker checker = checker();
    // Control: the same backend, healthy, under another id in another app, is probed.
    TestBackend control = later(httpBackend("y", new AtomicInteger(200), new ConcurrentLinkedQueue<>()));
    publish(state, List.of(backend("off", "web", server.port()).withHealthy(false), backend("on", "api", control.port())),
        Map.of("web", http("/", Duration.ofSeconds(1), 1, 1), "api", http("/", Duration.ofSeconds(1), 1, 1)));
    await().atMost(WAIT).until(() -> control.total() >= 3);
    assertThat(server.total()).isZero();
    assertThat(checker.healthOf("off")).isNull();
    assertThat(checker.backends()).extracting(BackendHealth::backendId).containsExactly("on");
  }

  @Test
  void aDownBackendWhoseCheckIsRemovedIsNoLongerProbedAndRoutedAgain() throws Exception {
    TestBackend sick = later(httpBackend("sick", new AtomicInteger(503), new ConcurrentLinkedQueue<>()));
    List<Backend> backends = List.of(backend("sick", "web", sick.port()));
    publish(state, backends, Map.of("web", http("/", Duration.ofSeconds(1), 1, 2)));
    BackendLoad load = state.loads().loadOf("sick");
    ActiveHealthChecker checker = checker();
    await().atMost(WAIT).until(load::isCheckFailing);

    publish(state, backends, Map.of());
    await().atMost(WAIT).until(() -> !load.isCheckFailing());
    assertThat(checker.healthOf("sick")).isNull();
    awaitNoMoreChanges(sick::total, Duration.ofMillis(500));
  }

  @Test
  void aDownBackendThatLeavesRoutingDbOrIsMarkedUnhealthyIsClearedAndNoLongerProbed() throws Exception {
    TestBackend sick = later(httpBackend("sick", new AtomicInteger(503), new ConcurrentLinkedQueue<>()));
    TestBackend other = later(httpBackend("other", new AtomicInteger(200), new ConcurrentLinkedQueue<>()));
    Backend sickRow = backend("sick", "web", sick.port());
    Backend otherRow = backend("other", "web", other.port());
    Map<String, HealthCheck> checks = Map.of("web", http("/", Duration.ofSeconds(1), 1, 2));
    publish(state, List.of(sickRow, otherRow), checks);
    BackendLoad load = state.loads().loadOf("sick");
    ActiveHealthChecker checker = checker();
    await().atMost(WAIT).until(load::isCheckFailing);

    publish(state, List.of(sickRow.withHealthy(false), otherRow), checks);
    await().atMost(WAIT).until(() -> !load.isCheckFailing());
    awaitNoMoreChanges(sick::total, Duration.ofMillis(500));

    publish(state, List.of(sickRow, otherRow), checks);
    await().atMost(WAIT).until(load::isCheckFailing);
    publish(state, List.of(otherRow), checks);
    await().atMost(WAIT).until(() -> !load.isCheckFailing());
    assertThat(checker.healthOf("sick")).isNull();
    awaitNoMoreChanges(sick::total, Duration.ofMillis(500));
    assertThat(health(checker, "other").up()).isTrue();
  }

  @Test
  void aProxiedClientIsNotSentToABackendThisPopChecksDown() throws Exception {
    AtomicInteger sickStatus = new AtomicInteger(200);
    TestBackend sick = later(httpBackend("sick", sickStatus, new ConcurrentLinkedQueue<>()));
    TestBackend good = later(httpBackend("good", new AtomicInteger(200), new ConcurrentLinkedQueue<>()));
    ProxyHarness proxy = later(ProxyHarness.startWithoutAffinity(c -> c));
    // "sick" is in the POP's region (tier 2) and so preferred over "good" (tier 3) while it is up.
    proxy.route(List.of(ProxyHarness.backend("sick", "sa", sick.port()), ProxyHarness.backend("good", "eu", good.port())),
        AppSettings.defaults("web").withHealthCheck(http("/healthz", Duration.ofSeconds(1), 2, 2)));
    ActiveHealthChecker checker = later(ActiveHealthChecker.start(proxy.state));
    BackendLoad sickLoad = proxy.state.loads().loadOf("sick");
    assertThat(ask(proxy)).isEqualTo("sick");

    sickStatus.set(503);
    await().atMost(WAIT).until(sickLoad::isCheckFailing);
    for (int i = 0; i < 5; i++) {
      assertThat(ask(proxy)).isEqualTo("good");
    }
    assertThat(proxy.server.stats().connectFailuresTotal()).as("not passive ejection").isZero();

    sickStatus.set(200);
    await().atMost(WAIT).until(() -> !sickLoad.isCheckFailing());
    assertThat(ask(proxy)).isEqualTo("sick");
    assertThat(checker.healthOf("sick")).isNotNull();
  }

  private static String ask(ProxyHarness proxy) throws IOException {
    try (Socket client = proxy.connect()) {
      client.getOutputStream().write("hello\n".getBytes(StandardCharsets.US_ASCII));
      return TestBackend.readLine(client.getInputStream());
    }
  }
}
