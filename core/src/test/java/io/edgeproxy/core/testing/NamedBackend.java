package io.edgeproxy.core.testing;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * A backend on 127.0.0.1 that writes its name and a newline to every client and closes, so a client
 * of a proxy can tell which backend it reached ({@link #ask}). Accepts on a virtual thread until closed.
 */
public final class NamedBackend implements AutoCloseable {
  private final String name;
  private final ServerSocket server;

  public NamedBackend(String name) throws IOException {
    this.name = name;
    this.server = new ServerSocket(0, 50, InetAddress.getLoopbackAddress());
    Thread.ofVirtual().start(this::serve);
  }

  public int port() {
    return server.getLocalPort();
  }

  private void serve() {
    while (!server.isClosed()) {
      try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
        out.write((name + "\n").getBytes(StandardCharsets.US_ASCII));
      } catch (IOException e) {
        return;
      }
    }
  }

  /** What a client of {@code proxy} reads: a backend's name, or "" when the proxy closed the connection. */
  public static String ask(InetSocketAddress proxy) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(proxy, 2_000);
      s.setSoTimeout(5_000);
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
    }
  }

  @Override
  public void close() throws IOException {
    server.close();
  }
}
