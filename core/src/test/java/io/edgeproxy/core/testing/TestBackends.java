package io.edgeproxy.core.testing;

import io.edgeproxy.core.routing.Backend;
import java.net.InetAddress;
import java.net.UnknownHostException;
import org.jspecify.annotations.Nullable;

/** Builds {@link Backend}s for tests with readable defaults: app "web", region "sa", 127.0.0.1. */
public final class TestBackends {
  private TestBackends() {}

  public static Backend backend(String id, String region, @Nullable String country) {
    return new Backend(id, "web", region, country, loopback(), 9000, true, 1, 100, 0);
  }

  public static Backend backend(String id, String app, String region, @Nullable String country, int port) {
    return new Backend(id, app, region, country, loopback(), port, true, 1, 100, 0);
  }

  public static InetAddress loopback() {
    return InetAddress.getLoopbackAddress();
  }

  public static InetAddress ip(String literal) {
    try {
      return InetAddress.getByName(literal);
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException(literal, e);
    }
  }
}
