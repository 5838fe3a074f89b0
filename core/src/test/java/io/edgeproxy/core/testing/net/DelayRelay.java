package io.edgeproxy.core.testing.net;

import static java.util.Objects.requireNonNull;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Forwards to one fixed target and adds a one-way delay in each direction, the way a long link would
 * (the kernel has no netem here). Bind it on {@link NetworkLab#gateway()} and point a
 * {@link NetworkLab#redirect} at it to slow one link transparently, or use it on loopback alone.
 *
 * <p>Delivery order is kept per direction. The relay's own threads are virtual; no method blocks
 * except {@link #close()}, briefly. The target sees the relay's address as the client, not the original
 * client. TCP connection set-up is not delayed: the relay accepts at once and connects upstream at once;
 * every chunk of data and the end of each direction (FIN) are delayed.
 */
public sealed interface DelayRelay extends AutoCloseable permits UdpDelayRelay, TcpDelayRelay {
  /**
   * A UDP relay on {@code bind} (port 0 picks one; use a concrete address, as {@link #address()} is what
   * clients and redirects need). One upstream socket per client address, so replies reach the right
   * client. Datagrams beyond 16 MiB queued per direction are dropped and counted.
   */
  static DelayRelay udp(InetSocketAddress bind, InetSocketAddress target, Duration oneWayDelay) {
    try {
      return new UdpDelayRelay(requireNonNull(bind, "bind"), requireNonNull(target, "target"),
          checkDelay(oneWayDelay));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start UDP relay on " + bind + " to " + target, e);
    }
  }

  /**
   * A TCP relay on {@code bind}: each accepted connection gets its own upstream connection to
   * {@code target} (10 s connect timeout; on failure the client is reset). Half-close is passed on; both
   * sockets close when both directions have ended, or are reset on an error. At most 4 MiB per direction
   * wait in the relay, then it stops reading (backpressure).
   */
  static DelayRelay tcp(InetSocketAddress bind, InetSocketAddress target, Duration oneWayDelay) {
    try {
      return new TcpDelayRelay(requireNonNull(bind, "bind"), requireNonNull(target, "target"),
          checkDelay(oneWayDelay));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start TCP relay on " + bind + " to " + target, e);
    }
  }

  /** The bound address, with the real port when {@code bind} asked for port 0. */
  InetSocketAddress address();

  RelayCounters counters();

  /** Stops accepting, drops what is queued, closes (TCP: resets) every socket. Idempotent. */
  @Override
  void close();

  private static Duration checkDelay(Duration oneWayDelay) {
    requireNonNull(oneWayDelay, "oneWayDelay");
    if (oneWayDelay.isNegative()) {
      throw new IllegalArgumentException("oneWayDelay: " + oneWayDelay + " (expected: >= 0)");
    }
    return oneWayDelay;
  }
}
