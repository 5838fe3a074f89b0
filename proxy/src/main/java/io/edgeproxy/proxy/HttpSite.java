package io.edgeproxy.proxy;

import io.edgeproxy.core.edge.EdgeAuth;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

import io.edgeproxy.core.edge.HostRouter;
import io.edgeproxy.core.edge.HostnameRule;
import io.edgeproxy.core.routing.AppSettings;
import io.netty.channel.EventLoop;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What every HTTP-mode request of one listener shares: the edge (routing, settings, counters), the
 * scheme clients reached it by, and where a redirect to HTTPS points. {@link #target} decides
 * per request what its Host gets.
 *
 * @param plain true for the plain HTTP listener (EDGEPROXY_HTTP_LISTEN_ADDR), false for HTTPS
 * @param httpsPort the HTTPS listener's port, for redirects
 * @param shield true for the requests other POPs send this one's cache as their regional shield
 *     (over the links between POPs): they are past edge auth already, keep the forwarding fields
 *     the asking POP set, and are never sent to a shield again
 */
record HttpSite(EdgeListener edge, Map<EventLoop, ProxyLoop> loops, boolean plain, int httpsPort, HttpObserver observer,
    boolean shield) {
  /** What a request gets. */
  sealed interface Target {
    /** Proxied to one of the app's backends. */
    record Proxy(String app) implements Target {}

    /** 308 to the same URL over HTTPS. */
    record Redirect() implements Target {}

    /** 421: no app is served at this name here (in HTTP mode, on this listener). */
    record Misdirected(String why) implements Target {}
  }

  String proto() {
    return plain ? "http" : "https";
  }

  /**
   * The target of a request whose Host names {@code host} (null: none, or an address). On HTTPS,
   * only an app in HTTP mode is served per request; on plain HTTP, such an app with
   * {@code http_redirect = 0}, while every other routed name is redirected.
   */
  Target target(@Nullable String host) {
    return host == null ? targetOf(null) : edge.memo(plain ? EdgeListener.Memo.PLAIN_TARGET : EdgeListener.Memo.HTTPS_TARGET, host,
        k -> targetOf(host));
  }

  /** A request's Host parsed and checked, remembered per snapshot like its target. */
  HttpHosts.HostHeader hostOf(io.netty.handler.codec.http.HttpRequest request, boolean http11) {
    java.util.List<String> hosts = request.headers().getAll(io.netty.handler.codec.http.HttpHeaderNames.HOST);
    if (hosts.size() != 1) {
      return HttpHosts.hostOf(request, http11);
    }
    return edge.memo(EdgeListener.Memo.HOST, hosts.getFirst(), k -> HttpHosts.hostOf(request, http11));
  }

  private Target targetOf(@Nullable String host) {
    HostRouter.Route route = edge.hostRouter().route(host);
    if (!(route instanceof HostRouter.Route.ToApp toApp)) {
      return new Target.Misdirected(((HostRouter.Route.Nowhere) route).why());
    }
    AppSettings settings = edge.proxy().state().current().settingsOf(toApp.app());
    boolean http = settings.protocol() == AppSettings.Protocol.HTTP && toApp.mode() == HostnameRule.Mode.TERMINATE;
    if (plain) {
      return http && !settings.httpRedirect() ? new Target.Proxy(toApp.app()) : new Target.Redirect();
    }
    return http ? new Target.Proxy(toApp.app()) : new Target.Misdirected("app " + toApp.app() + " is not in HTTP mode");
  }

  /** True when {@code app}'s responses go through the edge cache ({@code apps.cache = 1}). */
  boolean caches(String app) {
    return edge.proxy().state().current().settingsOf(app).cache();
  }

  /**
   * Edge auth: null when {@code app} needs no client token, or {@code fields} carry a valid one
   * (then removed: the token is the edge's, no backend sees it, and the cache treats the request
   * as one without {@code Authorization}); else why the request is refused.
   */
  EdgeAuth.@Nullable Refusal refusal(String app, HttpHeaders fields) {
    var state = edge.proxy().state().current();
    if (shield || !state.settingsOf(app).clientTokens()) {
      return null;
    }
    EdgeAuth.Refusal refused = EdgeAuth.check(app, fields.get(HttpHeaderNames.AUTHORIZATION), state.data().edge().clientTokens());
    if (refused == null) {
      fields.remove(HttpHeaderNames.AUTHORIZATION);
    }
    return refused;
  }

  /** The edge cache as this site's requests see it: the POP's own, or (a shield site) its view as other POPs' shield. */
  io.edgeproxy.cache.HttpCache cache() {
    return shield ? edge.shieldCache() : edge.cache();
  }

  /**
   * A shield site serves a request only for the app the asking POP named, when its own tables
   * route the Host there too and the app has the cache on (tables mid-replication must not send a
   * request that passed edge auth for one app to another).
   */
  boolean shields(String app, io.netty.handler.codec.http.HttpRequest request) {
    return app.equals(request.headers().get(CacheShields.APP_FIELD)) && caches(app);
  }

  /** The POP to ask before the origin for a miss of {@code key}: its shield, or null (this POP is it, or this is the shield). */
  @Nullable String shieldOf(String key) {
    return shield ? null : edge.shields().shieldOf(key);
  }

  ProxyLoop loopOf(EventLoop loop) {
    return loops.get(loop);
  }
}
