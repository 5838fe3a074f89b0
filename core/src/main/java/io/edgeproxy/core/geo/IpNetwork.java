package io.edgeproxy.core.geo;

import static java.util.Objects.requireNonNull;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Optional;

/**
 * An IP network in CIDR notation, {@code 10.0.0.0/8} or {@code fc00::/7}. The address is kept
 * with the bits past the prefix cleared, so {@code 10.1.2.3/8} is {@code 10.0.0.0/8} (as Go's
 * {@code net.ParseCIDR} reads it). An IPv4 network never contains an IPv6 address and the other way
 * round; Java already hands IPv4-mapped IPv6 addresses ({@code ::ffff:a.b.c.d}) over as IPv4.
 *
 * @param address the network's first address
 * @param prefix the prefix length: 0-32 for IPv4, 0-128 for IPv6
 */
public record IpNetwork(InetAddress address, int prefix) {
  public IpNetwork {
    requireNonNull(address, "address");
    int bits = address.getAddress().length * 8;
    if (prefix < 0 || prefix > bits) {
      throw new IllegalArgumentException("prefix: " + prefix + " (expected: 0-" + bits + ")");
    }
    address = masked(address, prefix);
  }

  /**
   * Parses {@code address/prefix} with an IP literal (never a host name; IPv6 without brackets).
   * Empty when malformed.
   */
  public static Optional<IpNetwork> parse(String text) {
    String s = text.trim();
    int slash = s.indexOf('/');
    if (slash <= 0 || s.startsWith("[")) {
      return Optional.empty();
    }
    String length = s.substring(slash + 1);
    if (length.isEmpty() || length.length() > 3 || !length.chars().allMatch(c -> c >= '0' && c <= '9')) {
      return Optional.empty();
    }
    int prefix = Integer.parseInt(length);
    return IpAddresses.parseLiteral(s.substring(0, slash))
        .filter(a -> prefix <= a.getAddress().length * 8)
        .map(a -> new IpNetwork(a, prefix));
  }

  /** True when {@code candidate} is of the same family and its first {@link #prefix} bits are this network's. */
  public boolean contains(InetAddress candidate) {
    return IpNetworks.matches(address.getAddress(), prefix, candidate.getAddress());
  }

  private static InetAddress masked(InetAddress address, int prefix) {
    byte[] bytes = address.getAddress();
    for (int i = 0; i < bytes.length; i++) {
      int keep = Math.max(0, Math.min(8, prefix - i * 8));
      bytes[i] &= (byte) ((0xFF << (8 - keep)) & 0xFF);
    }
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new AssertionError("4 or 16 bytes are always an address", e);
    }
  }

  /** {@code 10.0.0.0/8}, {@code fc00:0:0:0:0:0:0:0/7}: the form {@link #parse} reads. */
  @Override
  public String toString() {
    return address.getHostAddress() + "/" + prefix;
  }
}
