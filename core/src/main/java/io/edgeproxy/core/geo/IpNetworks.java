package io.edgeproxy.core.geo;

import java.net.InetAddress;
import java.util.List;

/**
 * A fixed set of {@link IpNetwork}s asked, per packet, whether it holds an address: the networks'
 * bytes are taken once, so a check reads the candidate's address once and allocates nothing else
 * ({@link IpNetwork#contains} copies both addresses on every call). Immutable, thread-safe.
 */
public final class IpNetworks {
  /** Every IPv4 and every IPv6 address. */
  public static final IpNetworks EVERYONE = new IpNetworks(java.util.stream.Stream.of("0.0.0.0/0", "::/0")
      .map(text -> IpNetwork.parse(text).orElseThrow()).toList());

  private final byte[][] bytes;
  private final int[] prefixes;
  private final List<IpNetwork> networks;

  public IpNetworks(List<IpNetwork> networks) {
    this.networks = List.copyOf(networks);
    this.bytes = new byte[this.networks.size()][];
    this.prefixes = new int[this.networks.size()];
    for (int i = 0; i < bytes.length; i++) {
      bytes[i] = this.networks.get(i).address().getAddress();
      prefixes[i] = this.networks.get(i).prefix();
    }
  }

  /** True when one of the networks contains {@code candidate} (same family, same first prefix bits). */
  public boolean contains(InetAddress candidate) {
    byte[] other = candidate.getAddress();
    for (int n = 0; n < bytes.length; n++) {
      if (matches(bytes[n], prefixes[n], other)) {
        return true;
      }
    }
    return false;
  }

  public List<IpNetwork> networks() {
    return networks;
  }

  public boolean isEmpty() {
    return bytes.length == 0;
  }

  static boolean matches(byte[] net, int prefix, byte[] other) {
    if (net.length != other.length) {
      return false;
    }
    int whole = prefix / 8;
    for (int i = 0; i < whole; i++) {
      if (net[i] != other[i]) {
        return false;
      }
    }
    int rest = prefix % 8;
    if (rest == 0) {
      return true;
    }
    int mask = (0xFF << (8 - rest)) & 0xFF;
    return (net[whole] & mask) == (other[whole] & mask);
  }

  @Override
  public String toString() {
    return networks.toString();
  }
}
