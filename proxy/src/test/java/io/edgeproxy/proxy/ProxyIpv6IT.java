package io.edgeproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.geo.IpAddresses;
import io.edgeproxy.core.routing.AppSettings;
import io.edgeproxy.core.routing.Backend;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyProxiedProtocol;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Backends on IPv6 addresses (the WireGuard overlay's 6PN, fdaa::/16): the proxy connects to
 * [address]:port whatever family its client came in on. The backends here listen on ::1 only, so
 * reaching them at all means the proxy connected over IPv6; the clients come in on 127.0.0.1.
 */
@Timeout(60)
class ProxyIpv6IT {
  private static final int ONE_MIB = 1 << 20;

  /** ::1, or the test is skipped on a machine without an IPv6 loopback. */
  static InetAddress ipv6Loopback() {
    InetAddress v6 = IpAddresses.parseLiteral("::1").orElseThrow();
    try (ServerSocket probe = new ServerSocket(0, 1, v6)) {
      return v6;
    } catch (IOException e) {
      return Assumptions.abort("no IPv6 loopback (::1) here: " + e);
    }
  }

  private static Backend onIpv6(String id, InetAddress address, int port) {
    return new Backend(id, "web", "sa", null, address, port, true, 1, 100, 0);
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(NettyTransport.Kind.class)
  void bytesGoBothWaysBetweenAnIpv4ClientAndABackendOnIpv6(NettyTransport.Kind kind) throws Exception {
    Assumptions.assumeTrue(kind.isAvailable(), kind + " not available here");
    InetAddress v6 = ipv6Loopback();
    byte[] upstream = new byte[ONE_MIB];
    byte[] downstream = new byte[ONE_MIB];
    new Random(1).nextBytes(upstream);
    new Random(2).nextBytes(downstream);
    CompletableFuture<byte[]> receivedByBackend = new CompletableFuture<>();
    CompletableFuture<InetAddress> proxySide = new CompletableFuture<>();
    try (TestBackend backend = TestBackend.startOn(v6, socket -> {
          proxySide.complete(socket.getInetAddress());
          Thread writer = Thread.ofVirtual().start(() -> writeAndHalfClose(socket, downstream));
          receivedByBackend.complete(socket.getInputStream().readAllBytes());
          writer.join();
        });
        ProxyHarness proxy = new ProxyHarness(c -> c, NettyTransport.create(kind, 2))) {
      proxy.route(onIpv6("b6", v6, backend.port()));
      try (Socket client = proxy.connect()) {
        Thread writer = Thread.ofVirtual().start(() -> writeAndHalfClose(client, upstream));
        byte[] received = client.getInputStream().readAllBytes();
        writer.join();
        assertThat(Arrays.equals(received, downstream)).as("the backend's 1 MiB reached the client byte for byte ("
            + received.length + " bytes)").isTrue();
        byte[] sent = receivedByBackend.get(10, TimeUnit.SECONDS);
        assertThat(Arrays.equals(sent, upstream)).as("the client's 1 MiB reached the backend byte for byte ("
            + sent.length + " bytes)").isTrue();
        assertThat(proxySide.get(1, TimeUnit.SECONDS)).as("the proxy's end of the backend connection").isEqualTo(v6);
      }
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        assertThat(proxy.server.activeConnections()).isZero();
        assertThat(proxy.state.current().routesFor("web").byId("b6").load().active()).isZero();
      });
    }
  }

  @Test
  void aProxyProtocolHeaderToAnIpv6BackendNamesTheClientsIpv4Connection() throws Exception {
    InetAddress v6 = ipv6Loopback();
    CompletableFuture<byte[]> header = new CompletableFuture<>();
    try (TestBackend backend = TestBackend.startOn(v6, socket -> {
          DataInputStream in = new DataInputStream(socket.getInputStream());
          byte[] fixed = in.readNBytes(16);
          byte[] all = Arrays.copyOf(fixed, 16 + (((fixed[14] & 0xff) << 8) | (fixed[15] & 0xff)));
          in.readFully(all, 16, all.length - 16);
          header.complete(all);
          in.transferTo(socket.getOutputStream());
        });
        ProxyHarness proxy = ProxyHarness.start()) {
      proxy.route(List.of(onIpv6("b6", v6, backend.port())), new AppSettings("web", true));
      try (Socket client = proxy.connect()) {
        client.getOutputStream().write("payload".getBytes(StandardCharsets.US_ASCII));
        assertThat(new String(client.getInputStream().readNBytes(7), StandardCharsets.US_ASCII)).isEqualTo("payload");
        EmbeddedChannel decoder = new EmbeddedChannel(new HAProxyMessageDecoder());
        decoder.writeInbound(Unpooled.wrappedBuffer(header.get(5, TimeUnit.SECONDS)));
        HAProxyMessage message = decoder.readInbound();
        try {
          // The header describes the client's connection (IPv4 here), not the proxy's IPv6 one to the backend.
          assertThat(message.proxiedProtocol()).isEqualTo(HAProxyProxiedProtocol.TCP4);
          assertThat(message.sourceAddress()).isEqualTo("127.0.0.1");
          assertThat(message.sourcePort()).isEqualTo(client.getLocalPort());
          assertThat(message.destinationAddress()).isEqualTo("127.0.0.1");
          assertThat(message.destinationPort()).isEqualTo(proxy.address.getPort());
        } finally {
          message.release();
          decoder.finishAndReleaseAll();
        }
      }
    }
  }

  private static void writeAndHalfClose(Socket socket, byte[] data) {
    try {
      OutputStream out = socket.getOutputStream();
      for (int off = 0; off < data.length; off += 64 << 10) {
        out.write(data, off, Math.min(64 << 10, data.length - off));
      }
      out.flush();
      socket.shutdownOutput();
    } catch (IOException e) {
      throw new RuntimeException(e);
    }
  }
}
