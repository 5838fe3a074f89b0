package io.edgeproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.affinity.ClientBindings;
import io.edgeproxy.core.config.EdgeConfig;
import io.edgeproxy.core.config.ListenerConfig;
import io.edgeproxy.core.config.ProxyConfig;
import io.edgeproxy.core.geo.ClientLocator;
import io.edgeproxy.core.geo.FixedGeoResolver;
import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.routing.LoadBoard;
import io.edgeproxy.core.routing.Router;
import io.edgeproxy.core.routing.RoutingData;
import io.edgeproxy.core.routing.RoutingSnapshot;
import io.edgeproxy.core.routing.RoutingState;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Several listeners, one app each, plus the original's serve-every-app listener ("*"). */
@Timeout(60)
class ProxyListenersIT {
  private static Backend backend(String id, String app, int port) {
    return new Backend(id, app, "sa", null, InetAddress.getLoopbackAddress(), port, true, 1, 100, 0);
  }

  private static String ask(InetSocketAddress address) throws Exception {
    try (Socket s = new Socket()) {
      s.connect(address, 2_000);
      s.setSoTimeout(5_000);
      return TestBackend.readLine(s.getInputStream());
    }
  }

  @Test
  void eachListenerRoutesOnlyItsOwnAppsBackends() throws Exception {
    try (TestBackend web = TestBackend.named("web-backend"); TestBackend api = TestBackend.named("api-backend")) {
      ProxyConfig config = EdgeConfig.forTest(Path.of("unused")).proxy().withListeners(List.of(
          new ListenerConfig("web", new InetSocketAddress("127.0.0.1", 0)),
          new ListenerConfig("api", new InetSocketAddress("127.0.0.1", 0)),
          new ListenerConfig(RoutingSnapshot.ANY_APP, new InetSocketAddress("127.0.0.1", 0))));
      RoutingState state = new RoutingState("sa", new LoadBoard());
      state.publish(RoutingData.of(List.of(backend("w", "web", web.port()), backend("a", "api", api.port()))));
      Router router = new Router(state, new ClientLocator(FixedGeoResolver.empty()),
          new ClientBindings(Duration.ZERO, 10), new Router.PassiveHealth(3, Duration.ofSeconds(10)), System::nanoTime);
      try (NettyTransport transport = NettyTransport.create(ProxyHarness.defaultKind(), 2);
          ProxyServer server = new ProxyServer(config, router, transport)) {
        List<InetSocketAddress> bound = server.start();
        assertThat(bound).hasSize(3).doesNotHaveDuplicates();
        for (int i = 0; i < 5; i++) {
          assertThat(ask(bound.get(0))).isEqualTo("web-backend");
          assertThat(ask(bound.get(1))).isEqualTo("api-backend");
        }
        assertThat(List.of(ask(bound.get(2)), ask(bound.get(2)), ask(bound.get(2)), ask(bound.get(2))))
            .allMatch(name -> name.equals("web-backend") || name.equals("api-backend"));
      }
    }
  }
}
