package io.edgeproxy.core.geo;

import java.net.Inet6Address;
import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * How the appliance writes socket addresses in logs, errors and output ({@code 127.0.0.1:8080},
 * {@code [::1]:8080}), and reads them back.
 */
public final class SocketAddresses {
  private SocketAddresses() {}

  public static String format(InetSocketAddress address) {
    if (address.isUnresolved()) {
      return address.getHostString() + ":" + address.getPort();
    }
    String host = address.getAddress().getHostAddress();
    return (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
  }

  /**
   * Parses {@code host:port} or {@code [v6]:port} (port 0-65535) without resolving the host; null
   * when malformed. Callers resolve it when they connect or bind, so a name is looked up again each time.
   */
  public static @Nullable InetSocketAddress parseUnresolved(String text) {
    String s = text.trim();
    int colon = s.lastIndexOf(':');
    if (colon <= 0 || !s.substring(colon + 1).matches("\\d{1,5}")) {
      return null;
    }
    String host = s.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    } else if (host.indexOf(':') >= 0) {
      return null; // an IPv6 host must be bracketed
    }
    int port = Integer.parseInt(s.substring(colon + 1));
    return port > 65535 || host.isEmpty() ? null : InetSocketAddress.createUnresolved(host, port);
  }
}
