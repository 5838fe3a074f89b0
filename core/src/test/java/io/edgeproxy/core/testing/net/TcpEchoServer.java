package io.edgeproxy.core.testing.net;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Echoes every byte back on the same connection; on the client's end of stream it ends its own side
 * (half-close), then closes. One virtual thread accepts, one per connection echoes; nothing blocks the
 * caller. Used in-process and, through {@link ProbeAgentMain}, inside lab hosts.
 */
public final class TcpEchoServer implements AutoCloseable {
  private final ServerSocketChannel server;
  private final AtomicLong connections = new AtomicLong();

  private TcpEchoServer(ServerSocketChannel server) {
    this.server = server;
  }

  /** Binds {@code bind} (port 0 picks one) and starts echoing. */
  public static TcpEchoServer start(InetSocketAddress bind) {
    try {
      TcpEchoServer echo = new TcpEchoServer(ServerSocketChannel.open().bind(bind));
      Thread.ofVirtual().name("tcp-echo-accept").start(echo::acceptLoop);
      return echo;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot bind TCP echo server to " + bind, e);
    }
  }

  public InetSocketAddress address() {
    try {
      return (InetSocketAddress) server.getLocalAddress();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Connections accepted so far. */
  public long connections() {
    return connections.get();
  }

  /** Stops accepting; connections in progress finish on their own. */
  @Override
  public void close() {
    try {
      server.close();
    } catch (IOException e) {
      // A listening socket holds no data; nothing to do.
    }
  }

  private void acceptLoop() {
    while (true) {
      try {
        SocketChannel connection = server.accept();
        connections.incrementAndGet();
        Thread.ofVirtual().name("tcp-echo").start(() -> echo(connection));
      } catch (IOException e) {
        return; // Closed.
      }
    }
  }

  private static void echo(SocketChannel connection) {
    ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
    try (connection) {
      while (connection.read(buffer) >= 0) {
        buffer.flip();
        while (buffer.hasRemaining()) {
          connection.write(buffer);
        }
        buffer.clear();
      }
      connection.shutdownOutput();
    } catch (IOException e) {
      // The peer reset or went away; nothing to echo to.
    }
  }

  /**
   * The client side: sends {@code bytes} to {@code target} (an echo server, or a proxy in front of
   * one), then its FIN, and returns everything that came back before the other side's FIN.
   */
  public static byte[] roundTrip(InetSocketAddress target, byte[] bytes) throws IOException {
    try (java.net.Socket s = new java.net.Socket()) {
      s.connect(target, 5_000);
      s.setSoTimeout(15_000);
      Thread writer = Thread.ofVirtual().start(() -> {
        try {
          s.getOutputStream().write(bytes);
          s.shutdownOutput();
        } catch (IOException e) {
          // the read side reports
        }
      });
      byte[] got = s.getInputStream().readAllBytes();
      writer.join(5_000);
      return got;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException("interrupted", e);
    }
  }
}
