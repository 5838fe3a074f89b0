package io.edgeproxy.proxy;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

@Timeout(120)
class ProxyRelayIT {
  private static final int EIGHT_MIB = 8 << 20;

  @ParameterizedTest(name = "{0}")
  @EnumSource(NettyTransport.Kind.class)
  void eightMebibytesEachWayArriveByteExactWithRandomChunking(NettyTransport.Kind kind) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(kind.isAvailable(), kind + " not available here");
    byte[] upstream = new byte[EIGHT_MIB];
    byte[] downstream = new byte[EIGHT_MIB];
    new Random(1).nextBytes(upstream);
    new Random(2).nextBytes(downstream);
    CompletableFuture<byte[]> receivedByBackend = new CompletableFuture<>();
    try (TestBackend backend = TestBackend.start(socket -> {
          // Send 8 MiB in random chunks while reading the client's 8 MiB, like a full-duplex peer.
          Thread writer = Thread.ofVirtual().start(() -> writeChunked(socket, downstream, new Random(3), true));
          receivedByBackend.complete(socket.getInputStream().readAllBytes());
          writer.join();
        });
        ProxyHarness proxy = ProxyHarness.start(kind)) {
      proxy.route(ProxyHarness.backend("b", backend));
      try (Socket client = proxy.connect()) {
        Thread writer = Thread.ofVirtual().start(() -> writeChunked(client, upstream, new Random(4), true));
        byte[] received = readAllChunked(client.getInputStream(), new Random(5));
        writer.join();
        assertThat(sha256(received)).isEqualTo(sha256(downstream));
        assertThat(sha256(receivedByBackend.get(30, TimeUnit.SECONDS))).isEqualTo(sha256(upstream));
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(NettyTransport.Kind.class)
  void clientHalfCloseReachesTheBackendWhichCanStillAnswer(NettyTransport.Kind kind) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(kind.isAvailable(), kind + " not available here");
    try (TestBackend backend = TestBackend.start(socket -> {
          byte[] request = socket.getInputStream().readAllBytes(); // until the client's FIN
          socket.getOutputStream().write(("got " + new String(request, StandardCharsets.US_ASCII)).getBytes(StandardCharsets.US_ASCII));
        });
        ProxyHarness proxy = ProxyHarness.start(kind)) {
      proxy.route(ProxyHarness.backend("b", backend));
      try (Socket client = proxy.connect()) {
        client.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
        client.shutdownOutput();
        assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("got hello");
      }
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(NettyTransport.Kind.class)
  void backendHalfCloseReachesTheClientWhichCanStillSend(NettyTransport.Kind kind) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(kind.isAvailable(), kind + " not available here");
    CompletableFuture<String> late = new CompletableFuture<>();
    try (TestBackend backend = TestBackend.start(socket -> {
          socket.getOutputStream().write("banner".getBytes(StandardCharsets.US_ASCII));
          socket.shutdownOutput();
          late.complete(new String(socket.getInputStream().readAllBytes(), StandardCharsets.US_ASCII));
        });
        ProxyHarness proxy = ProxyHarness.start(kind)) {
      proxy.route(ProxyHarness.backend("b", backend));
      try (Socket client = proxy.connect()) {
        assertThat(new String(client.getInputStream().readAllBytes(), StandardCharsets.US_ASCII)).isEqualTo("banner");
        client.getOutputStream().write("still talking".getBytes(StandardCharsets.US_ASCII));
        client.shutdownOutput();
        assertThat(late.get(10, TimeUnit.SECONDS)).isEqualTo("still talking");
        assertThat(client.getInputStream().read()).isEqualTo(-1);
      }
      await().atMost(Duration.ofSeconds(5)).until(() -> proxy.server.activeConnections() == 0);
    }
  }

  @ParameterizedTest(name = "{0}")
  @EnumSource(NettyTransport.Kind.class)
  void aClientThatDoesNotReadStopsTheBackendInsteadOfFillingTheProxy(NettyTransport.Kind kind) throws Exception {
    org.junit.jupiter.api.Assumptions.assumeTrue(kind.isAvailable(), kind + " not available here");
    AtomicLong written = new AtomicLong();
    long total = 256L << 20;
    try (TestBackend backend = TestBackend.start(socket -> {
          byte[] chunk = new byte[64 << 10];
          OutputStream out = socket.getOutputStream();
          for (long sent = 0; sent < total; sent += chunk.length) {
            out.write(chunk);
            written.addAndGet(chunk.length);
          }
          socket.shutdownOutput();
        });
        ProxyHarness proxy = ProxyHarness.start(kind)) {
      proxy.route(ProxyHarness.backend("b", backend));
      try (Socket client = proxy.connect()) {
        client.setReceiveBufferSize(64 << 10);
        await().pollDelay(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(5)).until(() -> true);
        long stalledAt = written.get();
        // Kernel buffers on both legs plus the proxy's 64 KiB high-water mark, far below 256 MiB.
        assertThat(stalledAt).isLessThan(48L << 20);
        await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(2)).until(() -> true);
        assertThat(written.get()).isEqualTo(stalledAt);
        long read = client.getInputStream().transferTo(OutputStream.nullOutputStream());
        assertThat(read).isEqualTo(total);
      }
    }
  }

  @Test
  void aClientResetClosesTheBackendAndFreesTheSlot() throws Exception {
    try (TestBackend backend = TestBackend.echo(); ProxyHarness proxy = ProxyHarness.start()) {
      proxy.route(ProxyHarness.backend("b", backend));
      Socket client = proxy.connect();
      client.getOutputStream().write(1);
      assertThat(client.getInputStream().read()).isEqualTo(1);
      client.setSoLinger(true, 0);
      client.close(); // RST
      await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
        assertThat(backend.openNow()).isZero();
        assertThat(proxy.state.current().routesFor("web").byId("b").load().active()).isZero();
        assertThat(proxy.server.activeConnections()).isZero();
      });
    }
  }

  private static void writeChunked(Socket socket, byte[] data, Random random, boolean halfClose) {
    try {
      OutputStream out = socket.getOutputStream();
      int off = 0;
      while (off < data.length) {
        int n = Math.min(data.length - off, 1 + random.nextInt(random.nextBoolean() ? 100 : 200_000));
        out.write(data, off, n);
        off += n;
      }
      out.flush();
      if (halfClose) {
        socket.shutdownOutput();
      }
    } catch (Exception e) {
      throw new RuntimeException(e);
    }
  }

  private static byte[] readAllChunked(InputStream in, Random random) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    byte[] buf = new byte[300_000];
    int n;
    while ((n = in.read(buf, 0, 1 + random.nextInt(buf.length))) != -1) {
      out.write(buf, 0, n);
    }
    return out.toByteArray();
  }

  private static String sha256(byte[] data) throws Exception {
    return java.util.HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(data));
  }
}
