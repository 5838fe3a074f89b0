package io.edgeproxy.dns;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.util.List;

/** A resource record to write; owner and target names are relative to the zone. TTLs are set when written. */
sealed interface Rr {
  int TYPE_A = 1;
  int TYPE_NS = 2;
  int TYPE_SOA = 6;
  int TYPE_TXT = 16;
  int TYPE_AAAA = 28;
  int TYPE_SRV = 33;
  int TYPE_OPT = 41;
  int TYPE_IXFR = 251;
  int TYPE_AXFR = 252;
  int TYPE_ANY = 255;

  List<String> owner();

  int type();

  /** A or AAAA, by the address's family. */
  record Address(List<String> owner, InetAddress address) implements Rr {
    @Override
    public int type() {
      return address instanceof Inet4Address ? TYPE_A : TYPE_AAAA;
    }
  }

  /** SRV (RFC 2782); the target is written uncompressed, as that RFC requires. */
  record Srv(List<String> owner, int priority, int weight, int port, List<String> target) implements Rr {
    @Override
    public int type() {
      return TYPE_SRV;
    }
  }

  /** TXT; text longer than 255 bytes is split into several strings, which readers concatenate (RFC 7208 3.3). */
  record Txt(List<String> owner, String text) implements Rr {
    @Override
    public int type() {
      return TYPE_TXT;
    }
  }

  /** NS of the apex. */
  record Ns(List<String> owner, List<String> target) implements Rr {
    @Override
    public int type() {
      return TYPE_NS;
    }
  }

  /** SOA of the apex; serial is the snapshot version, minimum (negative TTL, RFC 2308) the answer TTL. */
  record Soa(long serial) implements Rr {
    @Override
    public List<String> owner() {
      return List.of();
    }

    @Override
    public int type() {
      return TYPE_SOA;
    }
  }
}
