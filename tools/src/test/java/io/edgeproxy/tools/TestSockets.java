package io.edgeproxy.tools;

import io.edgeproxy.core.testing.NamedBackend;
import java.io.IOException;
import java.net.InetSocketAddress;
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
    return later(new NamedBackend(name)).port();
  }

  /** What a client of the proxy gets: the backend's name, or "" when the proxy closed it. */
  static String ask(InetSocketAddress proxy) throws IOException {
    return NamedBackend.ask(proxy);
  }

  @Override
  public void close() throws Exception {
    for (int i = resources.size() - 1; i >= 0; i--) {
      resources.get(i).close();
    }
    resources.clear();
  }
}
