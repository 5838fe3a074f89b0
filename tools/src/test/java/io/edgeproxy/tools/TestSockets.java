package io.edgeproxy.tools;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/** Backends and clients for node tests, closed (last opened first) with the test. */
final class TestSockets implements AutoCloseable {
  private final List<AutoCloseable> resources = new ArrayList<>();

  /** Closes {@code resource} when the test ends. */
  <T extends AutoCloseable> T later(T resource) {
    resources.add(resource);
    return resource;
  }

  /** A backend on 127.0.0.1 that writes its name to every client and closes; returns its port. */
  int namedBackend(String name) throws IOException {
    ServerSocket server = later(new ServerSocket(0, 50, InetAddress.getLoopbackAddress()));
    Thread.ofVirtual().start(() -> {
      while (!server.isClosed()) {
        try (Socket s = server.accept(); OutputStream out = s.getOutputStream()) {
          out.write((name + "\n").getBytes(StandardCharsets.US_ASCII));
        } catch (IOException e) {
          return;
        }
      }
    });
    return server.getLocalPort();
  }

  /** What a client of the proxy gets: the backend's name, or "" when the proxy closed it. */
  static String ask(InetSocketAddress proxy) throws IOException {
    try (Socket s = new Socket()) {
      s.connect(proxy, 2_000);
      s.setSoTimeout(5_000);
      InputStream in = s.getInputStream();
      return new String(in.readAllBytes(), StandardCharsets.US_ASCII).trim();
    }
  }

  @Override
  public void close() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
    resources.clear();
  }
}
