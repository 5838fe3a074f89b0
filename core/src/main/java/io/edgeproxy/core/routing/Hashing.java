package io.edgeproxy.core.routing;

import java.net.InetAddress;

/** Small, fast, deterministic hashes for tie-breaking and sampling (SplitMix64's finalizer). */
public final class Hashing {
  private Hashing() {}

  public static long mix64(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** A stable hash of an address's bytes: the same client gets the same tie-break on every POP. */
  public static long ofAddress(InetAddress address) {
    long h = 0x84222325CBF29CE4L;
    for (byte b : address.getAddress()) {
      h = (h ^ (b & 0xff)) * 0x100000001B3L;
    }
    return mix64(h);
  }

  /** A uniform double in (0, 1]. */
  static double unitInterval(long hash) {
    return ((hash >>> 11) + 1) * 0x1.0p-53;
  }
}
