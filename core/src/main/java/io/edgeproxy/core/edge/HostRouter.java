package io.edgeproxy.core.edge;

import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * Which app a TLS server name reaches. Precedence: an exact {@code hostnames} row, then
 * {@code <app>.<domain>} (EDGEPROXY_DOMAIN, one label naming a known app, compared without case),
 * then a wildcard row. A ClientHello without a name, or with a name nothing matches, goes to the
 * default app (EDGEPROXY_APP naming one app) with this POP's TLS, or nowhere: never to another
 * app's backend. Built once per routing snapshot; immutable.
 */
public final class HostRouter {
  private final Map<String, HostnameRule> rules;
  private final Map<String, String> appsByLowerName = new HashMap<>();
  private final @Nullable String domainSuffix;
  private final @Nullable String defaultApp;

  /**
   * @param apps the apps the snapshot knows (backends or settings rows)
   * @param domain EDGEPROXY_DOMAIN (lower-case, no trailing dot), or null
   * @param defaultApp the app that gets connections no name routes, or null for none
   */
  public HostRouter(EdgeTables tables, Set<String> apps, @Nullable String domain, @Nullable String defaultApp) {
    this.rules = tables.hostnames();
    for (String app : apps) {
      appsByLowerName.putIfAbsent(app.toLowerCase(Locale.ROOT), app);
    }
    this.domainSuffix = domain == null || domain.isEmpty() ? null : "." + domain;
    this.defaultApp = defaultApp;
  }

  /** The outcome of routing one server name. */
  public sealed interface Route {
    /** To {@code app}, served as {@code mode}; {@code why} says which rule matched (logs, metrics). */
    record ToApp(String app, HostnameRule.Mode mode, String why) implements Route {}

    /** No app: {@code why} says what was missing. */
    record Nowhere(String why) implements Route {}
  }

  /** Routes {@code serverName} (null: the ClientHello named none). */
  public Route route(@Nullable String serverName) {
    if (serverName == null || serverName.isEmpty()) {
      return fallback("no server name");
    }
    String name = HostNames.normalize(serverName).orElse(null);
    if (name == null || HostNames.isWildcard(name)) {
      return fallback("server name is not a host name");
    }
    HostnameRule exact = rules.get(name);
    if (exact != null) {
      return new Route.ToApp(exact.app(), exact.mode(), "hostnames " + name);
    }
    if (domainSuffix != null && name.endsWith(domainSuffix)) {
      String label = name.substring(0, name.length() - domainSuffix.length());
      String app = label.indexOf('.') < 0 ? appsByLowerName.get(label) : null;
      if (app != null) {
        return new Route.ToApp(app, HostnameRule.Mode.TERMINATE, "domain " + domainSuffix.substring(1));
      }
    }
    String wildcard = HostNames.wildcardOf(name).orElse(null);
    HostnameRule wild = wildcard == null ? null : rules.get(wildcard);
    if (wild != null) {
      return new Route.ToApp(wild.app(), wild.mode(), "hostnames " + wildcard);
    }
    return fallback("unknown name");
  }

  private Route fallback(String why) {
    return defaultApp == null ? new Route.Nowhere(why)
        : new Route.ToApp(defaultApp, HostnameRule.Mode.TERMINATE, why + ": default app");
  }
}
