package io.edgeproxy.proxy;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real TCP backend on 127.0.0.1 (or the address given to {@link #startOn}), port 0, for socket
 * tests: each accepted connection runs {@link Behavior} on a virtual thread. Counts connections
 * open now, the most ever open at once, and the total.
 */
final class TestBackend implements AutoCloseable {
  /** What the backend does with one accepted connection; the socket is closed afterwards. */
  interface Behavior {
    void serve(Socket socket) throws IOException, InterruptedException;
  }

  private final ServerSocket server;
  private final ExecutorService threads = Executors.newVirtualThreadPerTaskExecutor();
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicInteger maxOpen = new AtomicInteger();
  private final AtomicInteger total = new AtomicInteger();

  private TestBackend(ServerSocket server, Behavior behavior) {
    this.server = server;
    threads.submit(() -> acceptLoop(behavior));
  }

  static TestBackend start(Behavior behavior) throws IOException {
    return startOn(InetAddress.getLoopbackAddress(), behavior);
  }

  /** As {@link #start(Behavior)}, listening on {@code address} (::1 for a backend on IPv6). */
  static TestBackend startOn(InetAddress address, Behavior behavior) throws IOException {
    ServerSocket server = new ServerSocket();
    server.bind(new InetSocketAddress(address, 0), 1024);
    return new TestBackend(server, behavior);
  }

  /** Echoes everything; when the client half-closes, finishes echoing and half-closes back. */
  static TestBackend echo() throws IOException {
    return start(socket -> {
      socket.getInputStream().transferTo(socket.getOutputStream());
      socket.shutdownOutput();
    });
  }

  /** Writes its name and a newline, then holds the connection until the client closes. */
  static TestBackend named(String name) throws IOException {
    return start(socket -> {
      socket.getOutputStream().write((name + "\n").getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      socket.getInputStream().transferTo(OutputStream.nullOutputStream());
    });
  }

  private void acceptLoop(Behavior behavior) {
    while (!server.isClosed()) {
      Socket socket;
      try {
        socket = server.accept();
      } catch (IOException e) {
        return;
      }
      int now = open.incrementAndGet();
      total.incrementAndGet();
      maxOpen.accumulateAndGet(now, Math::max);
      threads.submit(() -> {
        try (socket) {
          behavior.serve(socket);
        } catch (IOException | InterruptedException e) {
          // the client went away; nothing to do
        } finally {
          open.decrementAndGet();
        }
        return null;
      });
    }
  }

  int port() {
    return server.getLocalPort();
  }

  int openNow() {
    return open.get();
  }

  int maxOpen() {
    return maxOpen.get();
  }

  int total() {
    return total.get();
  }

  static String readLine(InputStream in) throws IOException {
    StringBuilder sb = new StringBuilder();
    int c;
    while ((c = in.read()) != -1 && c != '\n') {
      sb.append((char) c);
    }
    return sb.toString();
  }

  @Override
  public void close() throws IOException {
    server.close();
    threads.shutdownNow();
  }
}
