package io.edgeproxy.core.testing;

import java.io.IOException;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Ports on 127.0.0.1 free at the time of asking, for agents whose addresses a test must know before
 * they start. A port closed after the asking goes back to the kernel's pool, and the next ask can
 * be given it again (HandOverIT once got one port for both its proxy and its plain-HTTP listener).
 * So no port is handed out twice in one JVM. A race with other processes remains, as with any port
 * picked ahead.
 */
public final class LocalPorts {
  private static final InetAddress LOOPBACK = InetAddress.getLoopbackAddress();
  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  private LocalPorts() {}

  public static InetSocketAddress tcp() throws IOException {
    while (true) {
      try (ServerSocket s = new ServerSocket(0, 1, LOOPBACK)) {
        if (claim(s.getLocalPort())) {
          return new InetSocketAddress(LOOPBACK, s.getLocalPort());
        }
      }
    }
  }

  public static InetSocketAddress udp() throws IOException {
    while (true) {
      try (DatagramSocket s = new DatagramSocket(0, LOOPBACK)) {
        if (claim(s.getLocalPort())) {
          return new InetSocketAddress(LOOPBACK, s.getLocalPort());
        }
      }
    }
  }

  /** A free TCP port below 1024 (binding it to find out needs root). */
  public static InetSocketAddress privilegedTcp() throws IOException {
    int start = ThreadLocalRandom.current().nextInt(600, 1024);
    for (int i = 0; i < 424; i++) {
      int port = 600 + (start - 600 + i) % 424;
      try (ServerSocket s = new ServerSocket(port, 1, LOOPBACK)) {
        if (claim(port)) {
          return new InetSocketAddress(LOOPBACK, port);
        }
      } catch (IOException busyOrRefused) {
        // next one
      }
    }
    throw new IOException("no free TCP port in 600-1023 on 127.0.0.1");
  }

  /** host:port as the agent's settings take it. */
  public static String format(InetSocketAddress address) {
    return address.getAddress().getHostAddress() + ":" + address.getPort();
  }

  private static synchronized boolean claim(int port) {
    return HANDED_OUT.add(port);
  }
}
