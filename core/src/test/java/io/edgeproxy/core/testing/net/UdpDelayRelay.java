package io.edgeproxy.core.testing.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.net.PortUnreachableException;
import java.net.SocketAddress;
import java.net.StandardProtocolFamily;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.DatagramChannel;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@link DelayRelay#udp}: one front socket for all clients, one connected upstream socket per client, one
 * {@link DelayLine} per direction (so order is kept per direction). Threads: a virtual reader for the front
 * socket and one per upstream socket; the lines' threads send.
 */
final class UdpDelayRelay implements DelayRelay {
  private static final long QUEUE_BYTES = 16L << 20;
  private static final int MAX_DATAGRAM = 65_535;

  private final DatagramChannel front;
  private final InetSocketAddress address;
  private final InetSocketAddress target;
  private final DelayLine toTarget;
  private final DelayLine toClients;
  private final Map<SocketAddress, DatagramChannel> upstreams = new ConcurrentHashMap<>();
  private final AtomicLong datagrams = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  private final AtomicLong dropped = new AtomicLong();
  private volatile boolean closed;

  UdpDelayRelay(InetSocketAddress bind, InetSocketAddress target, Duration delay) throws IOException {
    this.target = target;
    this.front = DatagramChannel.open(family(bind)).bind(bind);
    this.address = (InetSocketAddress) front.getLocalAddress();
    // A send that fails (e.g. ICMP port unreachable) loses that datagram, as the network would.
    this.toTarget = new DelayLine("udp-relay-" + address.getPort() + "-out", delay, QUEUE_BYTES, e -> {});
    this.toClients = new DelayLine("udp-relay-" + address.getPort() + "-back", delay, QUEUE_BYTES, e -> {});
    Thread.ofVirtual().name("udp-relay-" + address.getPort() + "-front").start(this::readClients);
  }

  @Override
  public InetSocketAddress address() {
    return address;
  }

  @Override
  public RelayCounters counters() {
    return new RelayCounters(datagrams.get(), bytes.get(), dropped.get(), 0);
  }

  @Override
  public void close() {
    closed = true;
    toTarget.close();
    toClients.close();
    closeQuietly(front);
    upstreams.values().forEach(UdpDelayRelay::closeQuietly);
  }

  private void readClients() {
    ByteBuffer buffer = ByteBuffer.allocate(MAX_DATAGRAM);
    try {
      while (!closed) {
        buffer.clear();
        SocketAddress client = front.receive(buffer);
        DatagramChannel upstream;
        try {
          upstream = upstreams.computeIfAbsent(client, this::openUpstream);
        } catch (UncheckedIOException e) {
          dropped.incrementAndGet();
          continue;
        }
        ByteBuffer copy = copy(buffer.flip());
        forward(toTarget, copy, () -> upstream.write(copy));
      }
    } catch (IOException e) {
      close(); // The front socket is gone: nothing more can arrive.
    }
  }

  private DatagramChannel openUpstream(SocketAddress client) {
    try {
      DatagramChannel upstream = DatagramChannel.open(family(target)).connect(target);
      Thread.ofVirtual().name("udp-relay-" + address.getPort() + "-up-" + client)
          .start(() -> readTarget(upstream, client));
      return upstream;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open upstream socket to " + target, e);
    }
  }

  private void readTarget(DatagramChannel upstream, SocketAddress client) {
    ByteBuffer buffer = ByteBuffer.allocate(MAX_DATAGRAM);
    while (!closed) {
      try {
        buffer.clear();
        upstream.read(buffer);
        ByteBuffer copy = copy(buffer.flip());
        forward(toClients, copy, () -> front.send(copy, client));
      } catch (PortUnreachableException e) {
        // The target had no socket for an earlier datagram; keep listening, as an unconnected peer would.
      } catch (ClosedChannelException e) {
        return;
      } catch (IOException e) {
        closeQuietly(upstream);
        upstreams.remove(client, upstream);
        return;
      }
    }
  }

  private void forward(DelayLine line, ByteBuffer datagram, DelayLine.Delivery send) {
    int length = datagram.remaining();
    boolean queued = line.offer(length, () -> {
      send.deliver();
      datagrams.incrementAndGet();
      bytes.addAndGet(length);
    });
    if (!queued && !closed) {
      dropped.incrementAndGet();
    }
  }

  private static ByteBuffer copy(ByteBuffer source) {
    ByteBuffer copy = ByteBuffer.allocate(source.remaining());
    copy.put(source).flip();
    return copy;
  }

  private static StandardProtocolFamily family(InetSocketAddress address) {
    return address.getAddress() instanceof Inet4Address ? StandardProtocolFamily.INET : StandardProtocolFamily.INET6;
  }

  private static void closeQuietly(DatagramChannel channel) {
    try {
      channel.close();
    } catch (IOException e) {
      // Closing a datagram socket cannot lose data; nothing to do.
    }
  }
}
