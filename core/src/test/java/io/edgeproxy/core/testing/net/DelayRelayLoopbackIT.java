package io.edgeproxy.core.testing.net;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.SocketException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** {@link DelayRelay} on 127.0.0.1 alone: no namespaces, no root needed. */
@Timeout(60)
class DelayRelayLoopbackIT {
  private static final Duration DELAY = Duration.ofMillis(200);
  private static final InetSocketAddress ANY_PORT = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);

  @Test
  void udpEchoTakesTwiceTheDelayAndKeepsOrder() throws Exception {
    try (UdpEchoServer echo = UdpEchoServer.start(ANY_PORT);
        DelayRelay relay = DelayRelay.udp(ANY_PORT, echo.address(), DELAY)) {
      UdpBurst burst = UdpBurst.send(relay.address(), 500, Duration.ofMillis(1), Duration.ofSeconds(5));

      assertThat(burst.received()).isEqualTo(500);
      assertThat(burst.inOrder()).isTrue();
      assertThat(burst.minRtt()).isGreaterThanOrEqualTo(DELAY.multipliedBy(2));
      await().untilAsserted(() -> assertThat(relay.counters()).isEqualTo(new RelayCounters(1000, 1000 * 64, 0, 0)));
    }
  }

  @Test
  void udpRepliesGoBackToTheirOwnClient() throws Exception {
    try (UdpEchoServer echo = UdpEchoServer.start(ANY_PORT);
        DelayRelay relay = DelayRelay.udp(ANY_PORT, echo.address(), Duration.ofMillis(20));
        DatagramChannel first = DatagramChannel.open().connect(relay.address());
        DatagramChannel second = DatagramChannel.open().connect(relay.address())) {
      first.write(ascii("first"));
      second.write(ascii("second"));

      assertThat(receive(second)).isEqualTo("second");
      assertThat(receive(first)).isEqualTo("first");
    }
  }

  @Test
  void tcpEchoTakesTwiceTheDelayAndArrivesIntact() {
    try (TcpEchoServer echo = TcpEchoServer.start(ANY_PORT);
        DelayRelay relay = DelayRelay.tcp(ANY_PORT, echo.address(), DELAY)) {
      TcpRoundTrip trip = TcpRoundTrip.measure(relay.address(), 4 << 20, Duration.ofSeconds(10));

      assertThat(trip.intact()).as(trip.detail()).isTrue();
      assertThat(trip.firstByte()).isGreaterThanOrEqualTo(DELAY.multipliedBy(2));
      await().untilAsserted(() -> assertThat(relay.counters()).isEqualTo(new RelayCounters(0, 8L << 20, 0, 1)));
    }
  }

  @Test
  void tcpHalfCloseFromTheTargetReachesTheClient() throws Exception {
    try (ServerSocket target = new ServerSocket(0, 1, InetAddress.getLoopbackAddress());
        DelayRelay relay = DelayRelay.tcp(ANY_PORT, (InetSocketAddress) target.getLocalSocketAddress(),
            Duration.ofMillis(20));
        Socket client = new Socket()) {
      CompletableFuture<String> heardByTarget = CompletableFuture.supplyAsync(() -> greetThenListen(target));
      client.connect(relay.address());
      client.setSoTimeout(10_000);

      assertThat(readToEnd(client.getInputStream())).isEqualTo("hello");
      client.getOutputStream().write("still here".getBytes(StandardCharsets.US_ASCII));
      client.shutdownOutput();

      assertThat(heardByTarget.get()).isEqualTo("still here");
    }
  }

  @Test
  void tcpClientIsResetWhenTheTargetRefuses() throws Exception {
    InetSocketAddress closedPort;
    try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      closedPort = (InetSocketAddress) probe.getLocalSocketAddress();
    }
    try (DelayRelay relay = DelayRelay.tcp(ANY_PORT, closedPort, DELAY); Socket client = new Socket()) {
      client.connect(relay.address());
      client.setSoTimeout(10_000);

      assertThatThrownBy(() -> client.getInputStream().read()).isInstanceOf(SocketException.class)
          .hasMessageContaining("reset");
    }
  }

  private static String greetThenListen(ServerSocket target) {
    try (Socket s = target.accept()) {
      s.getOutputStream().write("hello".getBytes(StandardCharsets.US_ASCII));
      s.shutdownOutput();
      return readToEnd(s.getInputStream());
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private static String readToEnd(InputStream in) throws IOException {
    return new String(in.readAllBytes(), StandardCharsets.US_ASCII);
  }

  private static ByteBuffer ascii(String text) {
    return ByteBuffer.wrap(text.getBytes(StandardCharsets.US_ASCII));
  }

  private static String receive(DatagramChannel channel) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(100);
    channel.read(buffer);
    return new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII);
  }
}
