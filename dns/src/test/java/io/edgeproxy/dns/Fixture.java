package io.edgeproxy.dns;

import static io.edgeproxy.dns.DnsHarness.ip;

import io.edgeproxy.core.routing.Backend;
import java.util.List;

/** The routing.db rows most DNS tests use. The POP is in region sa; loopback clients have no geo. */
final class Fixture {
  private Fixture() {}

  static Backend backend(String id, String app, String region, String country, String address, int port, boolean healthy,
      int weight) {
    return new Backend(id, app, region, country, ip(address), port, healthy, weight, 100, 0);
  }

  /**
   * App web: two sa backends in BR (one IPv6), one sa in AR, one us, one eu (DE), one ap that is
   * unhealthy and one eu (GB) drained by weight 0. App api: one backend. App db.main (a dotted
   * name): one us backend.
   */
  static List<Backend> backends() {
    return List.of(
        backend("web-gru-1", "web", "sa", "BR", "10.50.1.1", 8080, true, 2),
        backend("web-gru-2", "web", "sa", "BR", "fd00:50::2", 8081, true, 2),
        backend("web-eze-1", "web", "sa", "AR", "10.50.2.1", 8080, true, 1),
        backend("web-iad-1", "web", "us", "US", "10.60.1.1", 8080, true, 2),
        backend("web-fra-1", "web", "eu", "DE", "10.70.1.1", 8080, true, 2),
        backend("web-nrt-1", "web", "ap", "JP", "10.80.1.1", 8080, false, 2),
        backend("web-lhr-1", "web", "eu", "GB", "10.70.2.1", 8080, true, 0),
        backend("api-1", "api", "sa", "BR", "10.51.1.1", 9000, true, 1),
        backend("db-1", "db.main", "us", "US", "10.61.1.1", 5432, true, 1));
  }
}
