package io.edgeproxy.core.geo;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/** Parsing of IP literals without name resolution, and address classification. */
public final class IpAddresses {
  private IpAddresses() {}

  /**
   * Parses an IPv4 dotted quad or an IPv6 literal (optionally in brackets). Never resolves a host
   * name: anything else is empty.
   */
  public static Optional<InetAddress> parseLiteral(String text) {
    String s = text.trim();
    if (s.startsWith("[") && s.endsWith("]")) {
      s = s.substring(1, s.length() - 1);
    }
    if (s.indexOf(':') >= 0) {
      return parseV6(s);
    }
    return parseV4(s);
  }

  private static Optional<InetAddress> parseV4(String s) {
    byte[] bytes = new byte[4];
    int part = 0;
    int value = 0;
    int digits = 0;
    for (int i = 0; i <= s.length(); i++) {
      char c = i == s.length() ? '.' : s.charAt(i);
      if (c == '.') {
        if (digits == 0 || part == 4) {
          return Optional.empty();
        }
        bytes[part++] = (byte) value;
        value = 0;
        digits = 0;
      } else if (c >= '0' && c <= '9' && digits < 3) {
        value = value * 10 + (c - '0');
        digits++;
        if (value > 255) {
          return Optional.empty();
        }
      } else {
        return Optional.empty();
      }
    }
    if (part != 4) {
      return Optional.empty();
    }
    try {
      return Optional.of(InetAddress.getByAddress(bytes));
    } catch (UnknownHostException e) {
      return Optional.empty();
    }
  }

  private static Optional<InetAddress> parseV6(String s) {
    // A string with ':' can only be an IPv6 literal to InetAddress, so this never does DNS.
    if (!s.chars().allMatch(c -> Character.digit(c, 16) >= 0 || c == ':' || c == '.' || c == '%')) {
      return Optional.empty();
    }
    try {
      InetAddress address = InetAddress.getByName(s);
      return address instanceof Inet6Address || address instanceof Inet4Address
          ? Optional.of(address)
          : Optional.empty();
    } catch (UnknownHostException | IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /**
   * True for addresses that carry no geography: loopback, RFC 1918 / unique-local, link-local,
   * wildcard, multicast, CGNAT (100.64/10).
   */
  public static boolean isNonRoutable(InetAddress a) {
    if (a.isLoopbackAddress()
        || a.isSiteLocalAddress()
        || a.isLinkLocalAddress()
        || a.isAnyLocalAddress()
        || a.isMulticastAddress()) {
      return true;
    }
    byte[] b = a.getAddress();
    if (b.length == 4) {
      return (b[0] & 0xff) == 100 && (b[1] & 0xc0) == 64;
    }
    return (b[0] & 0xfe) == 0xfc; // fc00::/7 unique local
  }
}
