package io.edgeproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgeproxy.core.routing.AppSettings;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyTLV;
import java.io.DataInputStream;
import java.net.ConnectException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(60)
class ProxyLifecycleIT {
  @Test
  void anIdleConnectionIsClosedAfterTheIdleTimeout() throws Exception {
    try (TestBackend backend = TestBackend.echo();
        ProxyHarness proxy = ProxyHarness.start(c -> c.withIdleTimeout(Duration.ofMillis(400)))) {
      proxy.route(ProxyHarness.backend("b", backend));
      try (Socket client = proxy.connect()) {
        client.getOutputStream().write(7);
        assertThat(client.getInputStream().read()).isEqualTo(7);
        long start = System.nanoTime();
        assertThat(client.getInputStream().read()).isEqualTo(-1);
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(300), Duration.ofSeconds(3));
      }
    }
  }

  @Test
  void backendsOfAProxyProtocolAppGetAV2HeaderWithTheClientAndTheRoutingReason() throws Exception {
    CompletableFuture<byte[]> header = new CompletableFuture<>();
    try (TestBackend backend = TestBackend.start(socket -> {
          DataInputStream in = new DataInputStream(socket.getInputStream());
          byte[] fixed = new byte[16];
          in.readFully(fixed);
          int length = ((fixed[14] & 0xff) << 8) | (fixed[15] & 0xff);
          byte[] rest = new byte[length];
          in.readFully(rest);
          byte[] all = new byte[16 + length];
          System.arraycopy(fixed, 0, all, 0, 16);
          System.arraycopy(rest, 0, all, 16, length);
          header.complete(all);
          in.transferTo(socket.getOutputStream()); // then echo the payload
        });
        ProxyHarness proxy = ProxyHarness.start()) {
      proxy.route(List.of(ProxyHarness.backend("b", backend)), new AppSettings("web", true));
      try (Socket client = proxy.connect()) {
        client.getOutputStream().write("payload".getBytes(StandardCharsets.US_ASCII));
        byte[] echoed = new DataInputStream(client.getInputStream()).readNBytes(7);
        assertThat(new String(echoed, StandardCharsets.US_ASCII)).isEqualTo("payload");
        EmbeddedChannel decoder = new EmbeddedChannel(new HAProxyMessageDecoder());
        decoder.writeInbound(Unpooled.wrappedBuffer(header.get(5, TimeUnit.SECONDS)));
        HAProxyMessage message = decoder.readInbound();
        try {
          assertThat(message.sourceAddress()).isEqualTo("127.0.0.1");
          assertThat(message.sourcePort()).isEqualTo(client.getLocalPort());
          assertThat(message.destinationPort()).isEqualTo(proxy.address.getPort());
          HAProxyTLV tlv = message.tlvs().get(0);
          assertThat(tlv.typeByteValue()).isEqualTo(ProxyProtocolHeader.ROUTE_TLV_TYPE);
          ByteBuf content = tlv.content();
          assertThat(content.toString(StandardCharsets.US_ASCII)).startsWith("backend=b tier=2 (this POP's region)");
        } finally {
          message.release();
          decoder.finishAndReleaseAll();
        }
      }
    }
  }

  @Test
  void aServerThatSpeaksFirstGetsThePROXYHeaderWithoutWaitingForTheClient() throws Exception {
    try (TestBackend backend = TestBackend.start(socket -> {
          DataInputStream in = new DataInputStream(socket.getInputStream());
          byte[] fixed = new byte[16];
          in.readFully(fixed);
          in.readFully(new byte[((fixed[14] & 0xff) << 8) | (fixed[15] & 0xff)]);
          socket.getOutputStream().write("220 ready\n".getBytes(StandardCharsets.US_ASCII)); // SMTP-style greeting
          in.transferTo(java.io.OutputStream.nullOutputStream());
        });
        ProxyHarness proxy = ProxyHarness.start()) {
      proxy.route(List.of(ProxyHarness.backend("b", backend)), new AppSettings("web", true));
      try (Socket client = proxy.connect()) {
        client.setSoTimeout(3_000);
        assertThat(TestBackend.readLine(client.getInputStream())).isEqualTo("220 ready");
      }
    }
  }

  @Test
  void shutdownStopsAcceptingAndDrainsOpenConnections() throws Exception {
    try (TestBackend backend = TestBackend.echo();
        ProxyHarness proxy = ProxyHarness.start(c -> c.withDrain(Duration.ofSeconds(10)))) {
      proxy.route(ProxyHarness.backend("b", backend));
      Socket client = proxy.connect();
      client.getOutputStream().write(1);
      assertThat(client.getInputStream().read()).isEqualTo(1);
      CompletableFuture<Void> closing = CompletableFuture.runAsync(proxy.server::close);
      org.awaitility.Awaitility.await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
          assertThatThrownBy(proxy::connect).isInstanceOf(ConnectException.class));
      // The open connection still relays while draining.
      client.getOutputStream().write(2);
      assertThat(client.getInputStream().read()).isEqualTo(2);
      assertThat(closing).isNotDone();
      long start = System.nanoTime();
      client.close();
      closing.get(5, TimeUnit.SECONDS);
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
    }
  }

  @Test
  void drainGivesUpAfterTheDrainTime() throws Exception {
    try (TestBackend backend = TestBackend.echo();
        ProxyHarness proxy = ProxyHarness.start(c -> c.withDrain(Duration.ofMillis(500)))) {
      proxy.route(ProxyHarness.backend("b", backend));
      try (Socket client = proxy.connect()) {
        client.getOutputStream().write(1);
        assertThat(client.getInputStream().read()).isEqualTo(1);
        long start = System.nanoTime();
        proxy.server.close();
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isBetween(Duration.ofMillis(400), Duration.ofSeconds(3));
        assertThat(client.getInputStream().read()).isEqualTo(-1);
      }
    }
  }
}
