package io.edgeproxy.core.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.edge.HostRouter.Route;
import io.edgeproxy.core.edge.HostnameRule.Mode;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class HostRouterTest {
  private static final EdgeTables TABLES = new EdgeTables(Map.of(
      "www.example.com", new HostnameRule("www.example.com", "site", Mode.TERMINATE),
      "api.apps.test", new HostnameRule("api.apps.test", "other", Mode.PASSTHROUGH),
      "*.apps.test", new HostnameRule("*.apps.test", "catchall", Mode.TERMINATE),
      "*.example.com", new HostnameRule("*.example.com", "wild", Mode.PASSTHROUGH)), List.of());
  private static final Set<String> APPS = Set.of("site", "api", "Web", "catchall", "wild", "other");

  private static Route route(String name) {
    return new HostRouter(TABLES, APPS, "apps.test", null).route(name);
  }

  @Test
  void anExactRowWinsOverTheDomainAndTheDomainOverAWildcard() {
    assertThat(route("api.apps.test")).isEqualTo(new Route.ToApp("other", Mode.PASSTHROUGH, "hostnames api.apps.test"));
    assertThat(route("web.apps.test")).isEqualTo(new Route.ToApp("Web", Mode.TERMINATE, "domain apps.test"));
    assertThat(route("nosuchapp.apps.test")).isEqualTo(new Route.ToApp("catchall", Mode.TERMINATE, "hostnames *.apps.test"));
    assertThat(route("www.example.com")).isEqualTo(new Route.ToApp("site", Mode.TERMINATE, "hostnames www.example.com"));
    assertThat(route("shop.example.com")).isEqualTo(new Route.ToApp("wild", Mode.PASSTHROUGH, "hostnames *.example.com"));
  }

  @Test
  void namesCompareWithoutCaseOrTrailingDotAndAWildcardCoversOneLabel() {
    assertThat(route("WWW.Example.COM.")).isEqualTo(route("www.example.com"));
    assertThat(route("a.shop.example.com")).isEqualTo(new Route.Nowhere("unknown name"));
    assertThat(route("example.com")).isEqualTo(new Route.Nowhere("unknown name"));
    // The domain takes one label that names a known app; deeper names fall to the wildcard.
    assertThat(route("x.web.apps.test")).isEqualTo(new Route.Nowhere("unknown name"));
  }

  @Test
  void withoutANameOrWithAnUnknownOneOnlyTheDefaultAppIsReached() {
    assertThat(route(null)).isEqualTo(new Route.Nowhere("no server name"));
    assertThat(route("bad name!")).isEqualTo(new Route.Nowhere("server name is not a host name"));
    assertThat(route("*.example.com")).isEqualTo(new Route.Nowhere("server name is not a host name"));
    HostRouter withDefault = new HostRouter(TABLES, APPS, null, "site");
    assertThat(withDefault.route(null)).isEqualTo(new Route.ToApp("site", Mode.TERMINATE, "no server name: default app"));
    assertThat(withDefault.route("unknown.test")).isEqualTo(new Route.ToApp("site", Mode.TERMINATE, "unknown name: default app"));
    assertThat(withDefault.route("web.apps.test")).as("no domain configured").isEqualTo(
        new Route.ToApp("catchall", Mode.TERMINATE, "hostnames *.apps.test"));
  }

  @Test
  void hostNamesAreValidatedAndNormalized() {
    assertThat(HostNames.normalize(" Api.Example.COM. ")).contains("api.example.com");
    assertThat(HostNames.normalize("*.example.com")).contains("*.example.com");
    assertThat(HostNames.normalize("*.com")).isEmpty();
    assertThat(HostNames.normalize("a.*.example.com")).isEmpty();
    assertThat(HostNames.normalize("-bad.example.com")).isEmpty();
    assertThat(HostNames.normalize("a".repeat(64) + ".com")).isEmpty();
    assertThat(HostNames.normalize("")).isEmpty();
    assertThat(HostNames.wildcardOf("a.b.c")).contains("*.b.c");
    assertThat(HostNames.wildcardOf("localhost")).isEmpty();
  }
}
