package io.edgeproxy.proxy;

import io.edgeproxy.cache.CacheEntry;
import io.edgeproxy.cache.CachePolicy;
import io.edgeproxy.cache.CacheStatus;
import io.edgeproxy.cache.FileBody;
import io.edgeproxy.cache.HttpCache;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * The request side of the edge cache: for a request of an app with {@code apps.cache = 1},
 * decides between answering from the cache, waiting for the same request already at the origin,
 * and going there through a {@link CacheFill}.
 */
final class HttpCaching {
  private HttpCaching() {}

  /** What to do with a request. */
  sealed interface Plan {
    /** Answer with {@code response} now; {@code refresh}, when not null, revalidates in the background. */
    record Answer(FullHttpResponse response, @Nullable Refresh refresh) implements Plan {}

    /**
     * Send {@code request} to a backend through {@code client}; {@code shielded}: a miss or a
     * revalidation, which asks the key's regional shield first.
     */
    record Forward(ExchangeClient client, HttpRequest request, boolean shielded) implements Plan {}

    /**
     * Answer with {@code head} and {@code entry}'s body, sent from its file on disk; when the body
     * is small enough, the copy read on the way goes to memory. {@code refresh} as for Answer.
     */
    record Stream(HttpResponse head, CacheEntry entry, FileBody body, @Nullable Refresh refresh, long epoch) implements Plan {}

    /** The same request is at the origin: the landing callback given to {@link #plan} resumes this one. */
    record Wait() implements Plan {}
  }

  /** A background revalidation of a stale entry served meanwhile (stale-while-revalidate). */
  record Refresh(ExchangeClient client, HttpRequest request) {
    /** Runs the revalidation on {@code loop}, nobody waiting for its response; logged as protocol "background". */
    void start(HttpSite site, ProxyLoop loop, ForwardedRequest f) {
      HttpRequestLog log = new HttpRequestLog(f.from().getHostAddress(), f.host() == null ? "" : f.host(), "GET",
          HttpHosts.pathOf(f.request().uri()), "background").app(f.app());
      HttpExchange exchange = new HttpExchange(client, site, loop, f.app(), request, log, f.from(), false, null);
      exchange.askShieldFirst(site.shieldOf(f.key()));
      exchange.requestPart(LastHttpContent.EMPTY_LAST_CONTENT);
      try {
        exchange.start();
      } catch (RuntimeException e) {
        client.ended(); // its flight lands: nothing waits on a refresh that never ran
      }
    }
  }

  /**
   * Plans {@code request} ({@code backendRequest}: it as it would go to a backend, made only when it
   * goes there). {@code collapse}: may
   * wait for the same request at the origin; {@code landed} is then called, on the leader's
   * thread, when it may look again.
   */
  static Plan plan(ExchangeClient front, HttpCache cache, String key, HttpRequest request,
      java.util.function.Supplier<HttpRequest> backendRequest, boolean collapse, Consumer<HttpCache.Landing> landed) {
    boolean head = request.method().equals(HttpMethod.HEAD);
    String bypass = CachePolicy.bypass(request.method(), request.headers());
    if (bypass != null) {
      cache.bypassed(key);
      boolean unsafe = !HttpForwarding.isIdempotent(request) || request.method().equals(HttpMethod.PUT)
          || request.method().equals(HttpMethod.DELETE);
      return new Plan.Forward(new CacheFill(front, cache, key, request.headers(), unsafe ? CacheFill.Mode.INVALIDATE
          : CacheFill.Mode.BYPASS, null, null, head, "bypass"), backendRequest.get(), false);
    }
    long now = cache.nowMs();
    CacheEntry entry = cache.lookup(key, request.headers());
    boolean onDisk = entry != null && entry.body() instanceof FileBody;
    if (entry != null && entry.freshness().isFresh(now)) {
      cache.hit(key, head ? 0 : entry.body().length(), onDisk);
      // collapse off: this request waited for another one at the origin (RFC 9211 "collapsed").
      String status = CacheStatus.hit(cache.name(), entry.freshness().ttlSeconds(now)) + (onDisk ? "; detail=disk" : "")
          + (collapse ? "" : "; collapsed");
      return matchesValidators(request, entry) ? new Plan.Answer(CachedResponses.notModified(cache, entry, status), null)
          : answer(cache, entry, status, head, null);
    }
    if (entry != null && entry.freshness().staleWhileRevalidate(now)) {
      cache.hit(key, head ? 0 : entry.body().length(), onDisk);
      cache.servedStale(key);
      HttpCache.Flight refreshing = cache.lead(key, l -> { });
      // Always a GET: a refresh made for a HEAD request would store an empty body.
      HttpRequest toBackend = backendRequest.get();
      HttpRequest get = new DefaultHttpRequest(toBackend.protocolVersion(), HttpMethod.GET, toBackend.uri(),
          toBackend.headers().copy());
      // A 304 is merged into the entry in memory: a body on disk too large for memory is fetched again whole.
      CacheEntry kept = refreshing == null ? null : cache.inMemory(entry);
      Refresh refresh = refreshing == null ? null : new Refresh(new CacheFill(CacheFill.headless(), cache, key,
          request.headers(), kept == null ? CacheFill.Mode.FILL : CacheFill.Mode.REVALIDATE, kept, refreshing, false, "stale"),
          kept == null ? get : conditional(get, kept));
      return answer(cache, entry, CacheStatus.staleHit(cache.name(), entry.freshness().ttlSeconds(now), "stale-while-revalidate"),
          head, refresh);
    }
    String fwd = entry != null ? "stale" : cache.hasKey(key) ? "vary-miss" : "uri-miss";
    HttpCache.Flight flight = null;
    if (collapse && !head) {
      flight = cache.lead(key, landed);
      if (flight == null) {
        return new Plan.Wait();
      }
    }
    // A stale entry is revalidated, and served if the origin fails, from memory: one on disk only is
    // read back when it is small enough, else the origin's whole response replaces it.
    entry = entry == null ? null : cache.inMemory(entry);
    cache.miss(key);
    HttpRequest toBackend = backendRequest.get();
    if (entry != null && CachePolicy.hasValidator(entry.headers())) {
      return new Plan.Forward(new CacheFill(front, cache, key, request.headers(), CacheFill.Mode.REVALIDATE, entry, flight, head,
          "stale"), conditional(toBackend, entry), true);
    }
    // The fill asks for the whole response: a 304 to the client's own validator could not be stored,
    // and the requests collapsed behind this one would all go to the origin.
    toBackend.headers().remove(HttpHeaderNames.IF_NONE_MATCH).remove(HttpHeaderNames.IF_MODIFIED_SINCE);
    return new Plan.Forward(new CacheFill(front, cache, key, request.headers(), CacheFill.Mode.FILL, entry, flight, head, fwd),
        toBackend, true);
  }

  /** {@code entry} as the answer: whole, or its head and then its body from its file. */
  private static Plan answer(HttpCache cache, CacheEntry entry, String status, boolean head, @Nullable Refresh refresh) {
    if (entry.body() instanceof FileBody file && !head) {
      return new Plan.Stream(CachedResponses.head(cache, entry, status), entry, file, refresh, cache.epoch());
    }
    return new Plan.Answer(CachedResponses.full(cache, entry, status, head), refresh);
  }

  /**
   * {@code toBackend} asking whether {@code entry} is still current, with the stored validators
   * instead of the client's (RFC 9111 §4.3.1); requests with other preconditions bypass the cache.
   */
  private static HttpRequest conditional(HttpRequest toBackend, CacheEntry entry) {
    HttpRequest out = toBackend;
    out.headers().remove(HttpHeaderNames.IF_NONE_MATCH).remove(HttpHeaderNames.IF_MODIFIED_SINCE);
    String etag = entry.headers().get(HttpHeaderNames.ETAG);
    String lastModified = entry.headers().get(HttpHeaderNames.LAST_MODIFIED);
    if (etag != null) {
      out.headers().set(HttpHeaderNames.IF_NONE_MATCH, etag);
    }
    if (lastModified != null) {
      out.headers().set(HttpHeaderNames.IF_MODIFIED_SINCE, lastModified);
    }
    return out;
  }

  /** Does the client's own conditional request match {@code entry} (RFC 9110 §13.1.2, §13.1.3)? */
  static boolean matchesValidators(HttpRequest request, CacheEntry entry) {
    String inm = request.headers().get(HttpHeaderNames.IF_NONE_MATCH);
    String etag = entry.headers().get(HttpHeaderNames.ETAG);
    if (inm != null) {
      if (etag == null) {
        return false;
      }
      String stored = weak(etag);
      for (String candidate : inm.split(",")) {
        String c = candidate.strip();
        if (c.equals("*") || weak(c).equals(stored)) {
          return true;
        }
      }
      return false;
    }
    String ims = request.headers().get(HttpHeaderNames.IF_MODIFIED_SINCE);
    String lm = entry.headers().get(HttpHeaderNames.LAST_MODIFIED);
    if (ims == null || lm == null || entry.status() != 200) {
      return false;
    }
    var since = io.netty.handler.codec.DateFormatter.parseHttpDate(ims);
    var modified = io.netty.handler.codec.DateFormatter.parseHttpDate(lm);
    return since != null && modified != null && !modified.after(since);
  }

  /** An entity tag without its weakness indicator: If-None-Match compares weakly. */
  private static String weak(String tag) {
    return tag.startsWith("W/") ? tag.substring(2) : tag;
  }
}
