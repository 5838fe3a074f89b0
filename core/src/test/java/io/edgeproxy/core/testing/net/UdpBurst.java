package io.edgeproxy.core.testing.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.BitSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * One burst against a UDP echo server: {@code sent} numbered datagrams at a steady pace from one socket,
 * and what came back.
 *
 * @param sent datagrams sent
 * @param received distinct datagrams echoed back
 * @param inOrder whether the echoes arrived in the order sent (gaps allowed, no overtaking)
 * @param minRtt shortest round trip (zero if nothing came back)
 * @param maxRtt longest round trip (zero if nothing came back)
 */
public record UdpBurst(int sent, int received, boolean inOrder, Duration minRtt, Duration maxRtt) {
  private static final int SIZE = 64;

  /**
   * Sends {@code count} datagrams, one every {@code interval}, then waits up to {@code wait} for the last
   * echoes. Blocks for about {@code count * interval + wait}. Throws only when no socket can be opened;
   * network errors show as missing echoes.
   */
  public static UdpBurst send(InetSocketAddress target, int count, Duration interval, Duration wait)
      throws IOException, InterruptedException {
    try (DatagramChannel channel = DatagramChannel.open().connect(target)) {
      Receiver receiver = new Receiver(channel, count);
      Thread thread = Thread.ofVirtual().name("udp-probe-read").start(receiver::run);
      long start = System.nanoTime();
      ByteBuffer datagram = ByteBuffer.allocate(SIZE);
      for (int seq = 0; seq < count; seq++) {
        LockSupport.parkNanos(start + seq * interval.toNanos() - System.nanoTime());
        datagram.clear().putInt(0, seq).putLong(4, System.nanoTime());
        try {
          channel.write(datagram);
        } catch (PortUnreachableException e) {
          // An ICMP error for an earlier datagram surfaced on this send; the datagram counts as lost.
        }
      }
      receiver.allIn.await(wait.toNanos(), TimeUnit.NANOSECONDS);
      channel.close();
      thread.join();
      return receiver.result();
    }
  }

  /** One line for {@link ProbeAgentMain}'s protocol; {@link #fromLine} reverses it. */
  String toLine() {
    return sent + " " + received + " " + inOrder + " " + minRtt.toNanos() + " " + maxRtt.toNanos();
  }

  static UdpBurst fromLine(String line) {
    String[] f = line.split(" ");
    return new UdpBurst(Integer.parseInt(f[0]), Integer.parseInt(f[1]), Boolean.parseBoolean(f[2]),
        Duration.ofNanos(Long.parseLong(f[3])), Duration.ofNanos(Long.parseLong(f[4])));
  }

  /** Reads echoes until the channel closes; its fields are read only after its thread ended. */
  private static final class Receiver {
    private final DatagramChannel channel;
    private final int count;
    private final BitSet seen;
    private final CountDownLatch allIn;
    private int last = -1;
    private boolean inOrder = true;
    private long minRtt = Long.MAX_VALUE;
    private long maxRtt;

    Receiver(DatagramChannel channel, int count) {
      this.channel = channel;
      this.count = count;
      this.seen = new BitSet(count);
      this.allIn = new CountDownLatch(count);
    }

    void run() {
      ByteBuffer buffer = ByteBuffer.allocate(SIZE);
      while (channel.isOpen()) {
        try {
          buffer.clear();
          channel.read(buffer);
          long rtt = System.nanoTime() - buffer.getLong(4);
          int seq = buffer.getInt(0);
          if (seq < 0 || seq >= count) {
            continue; // Not one of ours.
          }
          inOrder &= seq > last;
          last = Math.max(last, seq);
          minRtt = Math.min(minRtt, rtt);
          maxRtt = Math.max(maxRtt, rtt);
          if (!seen.get(seq)) {
            seen.set(seq);
            allIn.countDown();
          }
        } catch (PortUnreachableException e) {
          // Nobody listens (yet); keep reading.
        } catch (IOException e) {
          return; // Closed by the sender when the wait is over.
        }
      }
    }

    UdpBurst result() {
      int received = seen.cardinality();
      return new UdpBurst(count, received, inOrder, Duration.ofNanos(received == 0 ? 0 : minRtt),
          Duration.ofNanos(maxRtt));
    }
  }
}
