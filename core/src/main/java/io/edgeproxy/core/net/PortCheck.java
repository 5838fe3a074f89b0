package io.edgeproxy.core.net;

import io.edgeproxy.core.geo.SocketAddresses;
import java.io.IOException;
import java.net.BindException;
import java.net.DatagramSocket;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import org.jspecify.annotations.Nullable;

/**
 * Whether a port is taken, asked before joining it with SO_REUSEPORT. A socket with SO_REUSEPORT
 * joins any group of the same user on its port, so a second agent started by mistake would
 * silently take half the first one's clients; a plain bind (no SO_REUSEPORT) is refused while
 * anything listens there, which is the check. Port 0 is never taken.
 */
public final class PortCheck {
  private PortCheck() {}

  /** Null when nothing listens on TCP {@code address}; else why it cannot be used. */
  public static @Nullable String tcpTaken(InetSocketAddress address) {
    if (address.getPort() == 0) {
      return null;
    }
    try (ServerSocket probe = new ServerSocket()) {
      probe.setReuseAddress(true); // a port whose connections are in TIME_WAIT is free
      probe.bind(address);
      return null;
    } catch (IOException e) {
      return inUse(e) ? taken("TCP", address) : null; // anything else (not a local address, no permission): the real bind says why
    }
  }

  /** Null when nothing is bound to UDP {@code address}; else why it cannot be used. */
  public static @Nullable String udpTaken(InetSocketAddress address) {
    if (address.getPort() == 0) {
      return null;
    }
    try (DatagramSocket probe = new DatagramSocket(null)) {
      probe.bind(address);
      return null;
    } catch (IOException e) {
      return inUse(e) ? taken("UDP", address) : null;
    }
  }

  /**
   * EADDRINUSE. The JDK raises BindException for other errors too ("Cannot assign requested
   * address", "Permission denied"), which are not another process on the port.
   */
  private static boolean inUse(IOException e) {
    return e instanceof BindException && e.getMessage() != null && e.getMessage().startsWith("Address already in use");
  }

  private static String taken(String protocol, InetSocketAddress address) {
    return protocol + " " + SocketAddresses.format(address) + " is in use by another process (another edgeproxy agent?"
        + " two agents never share a port: stop the other one first)";
  }
}
