package io.edgeproxy.proxy;

import io.edgeproxy.core.affinity.ClientBindings;
import io.edgeproxy.core.config.EdgeConfig;
import io.edgeproxy.core.config.ListenerConfig;
import io.edgeproxy.core.config.ProxyConfig;
import io.edgeproxy.core.geo.ClientLocator;
import io.edgeproxy.core.geo.FixedGeoResolver;
import io.edgeproxy.core.routing.AppSettings;
import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.routing.LoadBoard;
import io.edgeproxy.core.routing.Router;
import io.edgeproxy.core.routing.RoutingData;
import io.edgeproxy.core.routing.RoutingState;
import io.edgeproxy.core.geo.RegionMap;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;

/** A running proxy on 127.0.0.1:0 over an in-memory routing state, for socket tests. */
final class ProxyHarness implements AutoCloseable {
  final RoutingState state = new RoutingState("sa", new LoadBoard());
  final Router router;
  final ProxyServer server;
  final NettyTransport transport;
  final InetSocketAddress address;

  ProxyHarness(UnaryOperator<ProxyConfig> tweak, NettyTransport transport) {
    this(tweak, transport, Duration.ofMinutes(10));
  }

  ProxyHarness(UnaryOperator<ProxyConfig> tweak, NettyTransport transport, Duration affinityTtl) {
    ProxyConfig config = tweak.apply(EdgeConfig.forTest(Path.of("unused")).proxy()
        .withListeners(List.of(new ListenerConfig("web", new InetSocketAddress("127.0.0.1", 0)))));
    this.transport = transport;
    this.router = new Router(state, new ClientLocator(FixedGeoResolver.empty()),
        new ClientBindings(affinityTtl, 10_000),
        new Router.PassiveHealth(config.ejectAfterFailures(), config.ejectFor()), System::nanoTime);
    this.server = new ProxyServer(config, router, transport);
    this.address = server.start().get(0);
  }

  /**
   * The transport tests use unless they say otherwise: what the appliance picks by default (io_uring
   * where available), or -Dedgeproxy.test.transport=nio|io_uring.
   */
  static NettyTransport.Kind defaultKind() {
    String name = System.getProperty("edgeproxy.test.transport", "");
    if (name.isEmpty()) {
      return NettyTransport.Kind.IO_URING.isAvailable() ? NettyTransport.Kind.IO_URING : NettyTransport.Kind.NIO;
    }
    return NettyTransport.Kind.valueOf(name.toUpperCase(java.util.Locale.ROOT));
  }

  static ProxyHarness start() {
    return start(c -> c);
  }

  static ProxyHarness start(UnaryOperator<ProxyConfig> tweak) {
    return new ProxyHarness(tweak, NettyTransport.create(defaultKind(), 2));
  }

  /** Every connection is routed afresh (all test clients share 127.0.0.1, so affinity would pin them). */
  static ProxyHarness startWithoutAffinity(UnaryOperator<ProxyConfig> tweak) {
    return new ProxyHarness(tweak, NettyTransport.create(defaultKind(), 2), Duration.ZERO);
  }

  static ProxyHarness start(NettyTransport.Kind kind) {
    return new ProxyHarness(c -> c, NettyTransport.create(kind, 2));
  }

  void route(Backend... backends) {
    state.publish(RoutingData.of(List.of(backends)));
  }

  void route(List<Backend> backends, AppSettings settings) {
    state.publish(new RoutingData(backends, RegionMap.defaults(), Map.of(settings.name(), settings)));
  }

  static Backend backend(String id, TestBackend server) {
    return backend(id, "sa", server.port());
  }

  static Backend backend(String id, String region, int port) {
    return new Backend(id, "web", region, null, InetAddress.getLoopbackAddress(), port, true, 1, 100, 0);
  }

  Socket connect() throws IOException {
    Socket socket = new Socket();
    socket.connect(address, 5_000);
    socket.setSoTimeout(10_000);
    return socket;
  }

  @Override
  public void close() {
    server.close();
    transport.close();
  }
}
