package io.edgeproxy.dist;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports on 127.0.0.1 free at the time of asking, for agents whose addresses the test must know
 * before they start (a small race with other processes, as with any port picked ahead).
 */
final class LocalPorts {
  private LocalPorts() {}

  static InetSocketAddress tcp() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
    }
  }

  static InetSocketAddress udp() throws IOException {
    try (DatagramSocket s = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
      return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
    }
  }

  /** A free TCP port below 1024 (binding it to find out needs root). */
  static InetSocketAddress privilegedTcp() throws IOException {
    int start = ThreadLocalRandom.current().nextInt(600, 1024);
    for (int i = 0; i < 424; i++) {
      int port = 600 + (start - 600 + i) % 424;
      try (ServerSocket s = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
        return new InetSocketAddress(InetAddress.getLoopbackAddress(), s.getLocalPort());
      } catch (IOException busyOrRefused) {
        // next one
      }
    }
    throw new IOException("no free TCP port in 600-1023 on 127.0.0.1");
  }

  /** host:port as the agent's settings take it. */
  static String format(InetSocketAddress address) {
    return address.getAddress().getHostAddress() + ":" + address.getPort();
  }
}
