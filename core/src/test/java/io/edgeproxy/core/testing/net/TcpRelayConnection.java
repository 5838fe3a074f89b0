package io.edgeproxy.core.testing.net;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * One relayed TCP connection: reads each side on its own virtual thread and hands every chunk, then the
 * end of stream, to that direction's {@link DelayLine}, whose thread writes it to the other side. When
 * both directions have delivered their end of stream, both sockets close; any I/O error resets both.
 */
final class TcpRelayConnection {
  private static final long QUEUE_BYTES = 4L << 20;
  private static final int CHUNK = 64 * 1024;
  private static final int CONNECT_TIMEOUT_MILLIS = 10_000;

  private final SocketChannel client;
  private final InetSocketAddress target;
  private final Duration delay;
  private final AtomicLong bytes;
  private final Consumer<TcpRelayConnection> onClosed;
  private final AtomicInteger openDirections = new AtomicInteger(2);
  private volatile SocketChannel upstream;
  private volatile DelayLine toTarget;
  private volatile DelayLine toClient;

  TcpRelayConnection(SocketChannel client, InetSocketAddress target, Duration delay, AtomicLong bytes,
      Consumer<TcpRelayConnection> onClosed) {
    this.client = client;
    this.target = target;
    this.delay = delay;
    this.bytes = bytes;
    this.onClosed = onClosed;
  }

  /** Connects upstream, then pumps both directions; runs on its own virtual thread. */
  void run() {
    try {
      SocketChannel up = SocketChannel.open();
      upstream = up;
      up.socket().connect(target, CONNECT_TIMEOUT_MILLIS);
    } catch (IOException e) {
      abort(); // The client sees a reset, as close to "refused" as a relay that already accepted gets.
      return;
    }
    String name = "tcp-relay-" + client.socket().getLocalPort() + "-" + client.socket().getPort();
    toTarget = new DelayLine(name + "-out", delay, QUEUE_BYTES, e -> abort());
    toClient = new DelayLine(name + "-back", delay, QUEUE_BYTES, e -> abort());
    Thread.ofVirtual().name(name + "-read-up").start(() -> pump(upstream, client, toClient));
    pump(client, upstream, toTarget);
  }

  /** Resets both sockets (SO_LINGER 0) and drops what is queued. Idempotent; any thread. */
  void abort() {
    closeLines();
    reset(client);
    SocketChannel up = upstream;
    if (up != null) {
      reset(up);
    }
    onClosed.accept(this);
  }

  private void pump(SocketChannel from, SocketChannel to, DelayLine line) {
    try {
      ByteBuffer buffer = ByteBuffer.allocate(CHUNK);
      while (true) {
        buffer.clear();
        if (from.read(buffer) < 0) {
          line.put(0, () -> endOfStream(to));
          return;
        }
        ByteBuffer data = ByteBuffer.allocate(buffer.flip().remaining()).put(buffer).flip();
        int length = data.remaining();
        line.put(length, () -> {
          while (data.hasRemaining()) {
            to.write(data);
          }
          bytes.addAndGet(length);
        });
      }
    } catch (IOException e) {
      abort();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      abort();
    }
  }

  private void endOfStream(SocketChannel to) throws IOException {
    to.shutdownOutput();
    if (openDirections.decrementAndGet() == 0) {
      closeLines();
      client.close();
      upstream.close();
      onClosed.accept(this);
    }
  }

  private void closeLines() {
    DelayLine out = toTarget;
    DelayLine back = toClient;
    if (out != null) {
      out.close();
    }
    if (back != null) {
      back.close();
    }
  }

  private static void reset(SocketChannel channel) {
    try {
      Socket socket = channel.socket();
      if (channel.isOpen() && socket.isConnected()) {
        channel.setOption(StandardSocketOptions.SO_LINGER, 0);
      }
      channel.close();
    } catch (IOException e) {
      // Already closed or broken: it is as reset as it will get.
    }
  }
}
