package io.edgeproxy.dns;

import java.net.InetAddress;

/**
 * An EDNS Client Subnet option (RFC 7871) from a query: the client's network as its resolver saw
 * it. The address has every bit past {@code sourcePrefix} zero.
 *
 * @param family 1 (IPv4) or 2 (IPv6)
 * @param sourcePrefix significant leading bits of {@code address}; 0 means "do not use my location"
 * @param address the network, padded to a full IPv4 or IPv6 address
 */
public record ClientSubnet(int family, int sourcePrefix, InetAddress address) {
  /** The option code of EDNS Client Subnet. */
  public static final int OPTION_CODE = 8;

  /** Bytes of address the option carries: ceil(sourcePrefix / 8). */
  public int addressBytes() {
    return (sourcePrefix + 7) / 8;
  }
}
