package io.edgeproxy.core.geo;

import java.net.Inet6Address;
import java.net.InetSocketAddress;

/** How the appliance writes socket addresses in logs, errors and output: {@code 127.0.0.1:8080}, {@code [::1]:8080}. */
public final class SocketAddresses {
  private SocketAddresses() {}

  public static String format(InetSocketAddress address) {
    if (address.isUnresolved()) {
      return address.getHostString() + ":" + address.getPort();
    }
    String host = address.getAddress().getHostAddress();
    return (address.getAddress() instanceof Inet6Address ? "[" + host + "]" : host) + ":" + address.getPort();
  }
}
