package io.edgeproxy.core.testing.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.DatagramChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Sends every datagram back to its sender and counts what arrived, so a test can tell the loss on the
 * way in from the loss on the way back. One virtual thread receives and replies; nothing blocks the
 * caller.
 */
public final class UdpEchoServer implements AutoCloseable {
  private final DatagramChannel channel;
  private final AtomicLong received = new AtomicLong();

  private UdpEchoServer(DatagramChannel channel) {
    this.channel = channel;
  }

  /** Binds {@code bind} (port 0 picks one) and starts echoing. */
  public static UdpEchoServer start(InetSocketAddress bind) {
    try {
      UdpEchoServer echo = new UdpEchoServer(DatagramChannel.open().bind(bind));
      Thread.ofVirtual().name("udp-echo").start(echo::echoLoop);
      return echo;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind UDP echo server to " + bind, e);
    }
  }

  public InetSocketAddress address() {
    try {
      return (InetSocketAddress) channel.getLocalAddress();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Datagrams received so far. */
  public long received() {
    return received.get();
  }

  @Override
  public void close() {
    try {
      channel.close();
    } catch (IOException e) {
      // Closing a datagram socket cannot lose data; nothing to do.
    }
  }

  private void echoLoop() {
    ByteBuffer buffer = ByteBuffer.allocate(65_535);
    while (true) {
      try {
        buffer.clear();
        SocketAddress sender = channel.receive(buffer);
        received.incrementAndGet();
        channel.send(buffer.flip(), sender);
      } catch (IOException e) {
        if (!channel.isOpen()) {
          return;
        }
        // A send to a vanished sender failed; keep serving the others.
      }
    }
  }
}
