package io.edgeproxy.core.testing.net;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalInt;
import java.util.random.RandomGenerator;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One IPv4 /24 inside 10.0.0.0/8 for a {@link NetworkLab}: {@code .254} is the gateway (the bridge in the
 * root namespace), {@code .1} to {@code .253} are hosts. {@code network} is the address with the last octet
 * zero, as a big-endian int.
 */
record Subnet(int network) {
  /** An address with a prefix length, as found in {@code ip -o addr} and {@code ip route}. */
  private static final Pattern PREFIX = Pattern.compile("(\\d+\\.\\d+\\.\\d+\\.\\d+)(?:/(\\d+))?");
  private static final int GATEWAY = 254;

  Subnet {
    if ((network >>> 24) != 10 || (network & 0xff) != 0) {
      throw new IllegalArgumentException("network: " + format(network) + " (expected: 10.x.y.0)");
    }
  }

  /**
   * Picks a random /24 of 10.0.0.0/8 that overlaps no prefix in {@code inUse} (the text of
   * {@code ip -o addr} and {@code ip route}, mined for {@code a.b.c.d/len}; a bare address counts as /32).
   * 10.0.0.0/16 is avoided, as it is the most common private range.
   */
  static Subnet pickFree(String inUse, RandomGenerator random) {
    List<int[]> used = prefixes(inUse);
    for (int attempt = 0; attempt < 1000; attempt++) {
      int candidate = (10 << 24) | ((1 + random.nextInt(255)) << 16) | (random.nextInt(256) << 8);
      if (used.stream().noneMatch(p -> overlaps(candidate, 24, p[0], p[1]))) {
        return new Subnet(candidate);
      }
    }
    throw new NetworkLabException("no free /24 in 10.0.0.0/8 after 1000 tries; in use:\n" + inUse);
  }

  InetAddress gateway() {
    return address(GATEWAY);
  }

  /** The address of host number {@code index} (1-253). */
  InetAddress host(int index) {
    if (index < 1 || index >= GATEWAY) {
      throw new IllegalArgumentException("index: " + index + " (expected: 1-253)");
    }
    return address(index);
  }

  /** "10.x.y.0/24", as iptables and ip take it. */
  String cidr() {
    return format(network) + "/24";
  }

  private InetAddress address(int lastOctet) {
    int value = network | lastOctet;
    byte[] bytes = {(byte) (value >>> 24), (byte) (value >>> 16), (byte) (value >>> 8), (byte) value};
    try {
      return Inet4Address.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<int[]> prefixes(String text) {
    List<int[]> result = new ArrayList<>();
    Matcher m = PREFIX.matcher(text);
    while (m.find()) {
      int length = m.group(2) == null ? 32 : Integer.parseInt(m.group(2));
      parse(m.group(1)).ifPresent(a -> result.add(new int[] {a, length}));
    }
    return result;
  }

  private static OptionalInt parse(String dotted) {
    String[] parts = dotted.split("\\.");
    int value = 0;
    for (String part : parts) {
      int octet = Integer.parseInt(part);
      if (octet > 255) {
        return OptionalInt.empty();
      }
      value = (value << 8) | octet;
    }
    return OptionalInt.of(value);
  }

  static boolean overlaps(int a, int aLength, int b, int bLength) {
    int length = Math.min(aLength, bLength);
    int mask = length == 0 ? 0 : -1 << (32 - length);
    return (a & mask) == (b & mask);
  }

  private static String format(int value) {
    return (value >>> 24) + "." + ((value >>> 16) & 0xff) + "." + ((value >>> 8) & 0xff) + "." + (value & 0xff);
  }
}
