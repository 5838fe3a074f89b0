package io.edgeproxy.proxy;

import io.edgeproxy.cache.CacheEntry;
import io.edgeproxy.cache.CachePolicy;
import io.edgeproxy.cache.CacheStatus;
import io.edgeproxy.cache.MemoryBody;
import io.edgeproxy.cache.HttpCache;
import io.edgeproxy.core.routing.BackendLoad;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The cache between an {@link HttpExchange} and its client: adds {@code Cache-Status}, stores
 * what RFC 9111 lets a shared cache store while relaying it, merges a 304 into the stale entry it
 * revalidated and serves that instead, serves a stale entry when the origin fails within
 * {@code stale-if-error}, drops the entry after an unsafe method succeeded, and tells the requests
 * collapsed behind this one when they may look again. Loop thread only.
 */
final class CacheFill implements ExchangeClient {
  /** What this exchange is to the cache. */
  enum Mode {
    /** A miss: store the response if allowed. */
    FILL,
    /** A stale entry is being revalidated with its validators. */
    REVALIDATE,
    /** Not answerable from the cache (method, range): only Cache-Status is added. */
    BYPASS,
    /** An unsafe method: a successful response drops the stored entry (RFC 9111 §4.4). */
    INVALIDATE
  }

  /** Stored header fields are end-to-end ones; these are set per response when it is served. */
  private static final Set<String> PER_RESPONSE = Set.of("connection", "keep-alive", "transfer-encoding", "content-length",
      "age", CacheStatus.FIELD);

  private ExchangeClient inner; // the client, until it goes away while a response is stored (then nobody)
  private final HttpCache cache;
  private final String key;
  private final HttpHeaders request;
  private final Mode mode;
  private final @Nullable CacheEntry stale;
  private final HttpCache.@Nullable Flight flight;
  private final boolean headRequest;
  private final long requestMs;
  /** Where purges were when the request went out: one applied since that selects the response keeps it out. */
  private final long epoch;
  private final String fwd;
  private CachePolicy.Decision.@Nullable Store storing;
  private @Nullable HttpHeaders storedHeaders;
  private HttpCache.@Nullable Fill fill;
  /** The store was handed over; the disk tier tells the followers when its file is finished. */
  private boolean committing;
  private int status;
  private boolean swallowing;
  private String replacedStatus = "";

  /**
   * @param stale the entry being revalidated (REVALIDATE), or the one to fall back on when the origin fails
   * @param flight the collapsed requests waiting on this one, or null
   * @param fwd RFC 9211's reason for forwarding: uri-miss, vary-miss, stale, bypass
   */
  CacheFill(ExchangeClient inner, HttpCache cache, String key, HttpHeaders request, Mode mode, @Nullable CacheEntry stale,
      HttpCache.@Nullable Flight flight, boolean headRequest, String fwd) {
    this.inner = inner;
    this.cache = cache;
    this.key = key;
    this.request = request;
    this.mode = mode;
    this.stale = stale;
    this.flight = flight;
    this.headRequest = headRequest;
    this.requestMs = cache.nowMs();
    this.epoch = cache.epoch();
    this.fwd = fwd;
  }

  /** A client for a background revalidation: nobody is waiting for the response. */
  static ExchangeClient headless() {
    return Headless.INSTANCE;
  }

  @Override
  public boolean respond(HttpObject msg, boolean last) {
    if (swallowing) {
      ReferenceCountUtil.release(msg);
      return true;
    }
    if (msg instanceof HttpResponse head) {
      CacheEntry replaced = onHead(head);
      if (replaced != null) {
        // A stored response goes out instead, whole; the backend's own body (if any) is dropped.
        ReferenceCountUtil.release(msg);
        HttpResponse stored = CachedResponses.head(cache, replaced, replacedStatus);
        if (!inner.isHttp2() && inner.closesAfterResponse()) {
          stored.headers().set(io.netty.handler.codec.http.HttpHeaderNames.CONNECTION, "close");
        }
        inner.respond(stored, false);
        return inner.respond(CachedResponses.body(replaced, headRequest), true);
      }
    }
    if (msg instanceof HttpContent part && fill != null && !fill.add(part.content())) {
      fill = null; // larger than an entry may be (or the disk failed): relayed, not stored
      storing = null;
      land(HttpCache.Landing.NOT_STORED);
    }
    if (last) {
      completeStore();
    }
    return inner.respond(msg, last);
  }

  /** Decides at the response head; returns a stored response to send instead, or null to relay. */
  private @Nullable CacheEntry onHead(HttpResponse head) {
    status = head.status().code();
    long now = cache.nowMs();
    CacheEntry replaced = onHead(head, now);
    if (!cache.forShield()) {
      head.headers().remove(CachePolicy.CDN_CACHE_CONTROL); // meant for us (RFC 9213), kept in the entry
    }
    return replaced;
  }

  private @Nullable CacheEntry onHead(HttpResponse head, long now) {
    switch (mode) {
      case BYPASS -> CacheStatus.add(head.headers(), CacheStatus.bypass(cache.name()));
      case INVALIDATE -> {
        CacheStatus.add(head.headers(), CacheStatus.bypass(cache.name()));
        if (status < 400) {
          cache.invalidate(key);
        }
      }
      case REVALIDATE, FILL -> {
        if (stale != null && status == 304 && mode == Mode.REVALIDATE) {
          return serveInstead(refresh(stale, head, now), CacheStatus.forward(cache.name(), fwd, 304, true, false));
        }
        if (stale != null && status >= 500 && stale.freshness().staleIfError(now)) {
          cache.servedStale(key);
          return serveInstead(stale, CacheStatus.staleHit(cache.name(), stale.freshness().ttlSeconds(now), "stale-if-error"));
        }
        decide(head, now);
      }
    }
    return null;
  }

  private void decide(HttpResponse head, long now) {
    CachePolicy.Decision d = headRequest ? new CachePolicy.Decision.DontStore("HEAD")
        : CachePolicy.decide(request, status, head.headers(), requestMs, now);
    if (d instanceof CachePolicy.Decision.Store s) {
      storing = s;
      storedHeaders = endToEnd(head.headers());
      fill = cache.fill(key, new CacheEntry(status, storedHeaders, MemoryBody.EMPTY, s.freshness(), s.varyNames(),
          CacheEntry.valuesOf(request, s.varyNames())), epoch);
    } else {
      land(HttpCache.Landing.NOT_STORED); // the requests collapsed behind this one go to the origin now, together
    }
    CacheStatus.add(head.headers(), CacheStatus.forward(cache.name(), fwd, status, storing != null, false));
  }

  /** {@code entry} goes to the client instead of the backend's response, whose parts are dropped from now on. */
  private CacheEntry serveInstead(CacheEntry entry, String cacheStatus) {
    swallowing = true;
    replacedStatus = cacheStatus;
    land(HttpCache.Landing.STORED);
    return entry;
  }

  /** The stale entry refreshed by a 304 (RFC 9111 §4.3.4): its fields updated, its freshness recomputed. */
  private CacheEntry refresh(CacheEntry entry, HttpResponse notModified, long now) {
    HttpHeaders merged = entry.headers().copy();
    for (String name : notModified.headers().names()) {
      String lower = name.toLowerCase(Locale.ROOT);
      if (!PER_RESPONSE.contains(lower) && !lower.equals("content-type") && !lower.equals("content-encoding")) {
        merged.set(name, notModified.headers().getAll(name));
      }
    }
    // The 304's Age counts for the new freshness (a shield's copy was already that old), though it is not stored.
    HttpHeaders judged = merged;
    String age = notModified.headers().get(io.netty.handler.codec.http.HttpHeaderNames.AGE);
    if (age != null) {
      judged = merged.copy().set(io.netty.handler.codec.http.HttpHeaderNames.AGE, age);
    }
    CachePolicy.Decision d = CachePolicy.decide(request, entry.status(), judged, requestMs, now);
    CacheEntry refreshed = d instanceof CachePolicy.Decision.Store s ? entry.refreshed(merged, s.freshness()) : entry;
    if (d instanceof CachePolicy.Decision.Store) {
      cache.store(key, refreshed);
    } else {
      cache.invalidate(key);
    }
    return refreshed;
  }

  private void completeStore() {
    HttpCache.Fill f = fill;
    if (storing == null || f == null) {
      return;
    }
    storing = null;
    fill = null;
    committing = true;
    f.commit(stored -> land(stored ? HttpCache.Landing.STORED : HttpCache.Landing.NOT_STORED));
  }

  /** The response will not be whole: what was collected of it goes. */
  private void dropFill() {
    if (fill != null) {
      fill.abort();
      fill = null;
    }
  }

  private static HttpHeaders endToEnd(HttpHeaders from) {
    HttpHeaders out = new DefaultHttpHeaders();
    for (var e : from) {
      if (!PER_RESPONSE.contains(e.getKey().toLowerCase(Locale.ROOT))) {
        out.add(e.getKey(), e.getValue());
      }
    }
    return out;
  }

  private void land(HttpCache.Landing landing) {
    if (flight != null) {
      flight.land(landing);
    }
  }

  @Override
  public void answer(HttpResponseStatus failed, String detail, boolean requestComplete) {
    long now = cache.nowMs();
    if (stale != null && (mode == Mode.FILL || mode == Mode.REVALIDATE) && stale.freshness().staleIfError(now)) {
      cache.servedStale(key);
      land(HttpCache.Landing.STORED);
      inner.reply(CachedResponses.full(cache, stale, CacheStatus.staleHit(cache.name(), stale.freshness().ttlSeconds(now),
          "stale-if-error"), headRequest), requestComplete);
      return;
    }
    dropFill();
    land(HttpCache.Landing.NOT_STORED);
    inner.answer(failed, detail, requestComplete);
  }

  @Override
  public void reply(FullHttpResponse response, boolean requestComplete) {
    inner.reply(response, requestComplete);
  }

  @Override
  public void abort() {
    dropFill();
    land(HttpCache.Landing.NOT_STORED);
    inner.abort();
  }

  @Override
  public void ended() {
    dropFill();
    if (!committing) {
      land(HttpCache.Landing.NOT_STORED); // no-op once landed
    }
    inner.ended();
  }

  @Override
  public void reading(boolean on) {
    inner.reading(on);
  }

  /**
   * A response being stored is fetched to the end when its client leaves, as Varnish does: the
   * requests collapsed behind it (here, or at other POPs when this is their shield) get it from the
   * cache instead of all going to the origin.
   */
  @Override
  public boolean goesOnWithoutClient() {
    if (fill == null || storing == null) {
      return false;
    }
    inner = Headless.INSTANCE;
    return true;
  }

  @Override
  public void flush() {
    inner.flush();
  }

  @Override
  public boolean isHttp2() {
    return inner.isHttp2();
  }

  @Override
  public boolean closesAfterResponse() {
    return inner.closesAfterResponse();
  }

  @Override
  public void finished(boolean requestComplete) {
    inner.finished(requestComplete);
  }

  @Override
  public void upgraded(HttpResponse switching, Channel backend, BackendLoad load) {
    inner.upgraded(switching, backend, load);
  }

  /** Nobody: a background revalidation's response goes to the cache only. */
  private enum Headless implements ExchangeClient {
    INSTANCE;

    @Override
    public void reading(boolean on) {}

    @Override
    public boolean respond(HttpObject msg, boolean last) {
      ReferenceCountUtil.release(msg);
      return true;
    }

    @Override
    public void flush() {}

    @Override
    public boolean isHttp2() {
      return false;
    }

    @Override
    public boolean closesAfterResponse() {
      return false;
    }

    @Override
    public void finished(boolean requestComplete) {}

    @Override
    public void answer(HttpResponseStatus status, String detail, boolean requestComplete) {}

    @Override
    public void reply(FullHttpResponse response, boolean requestComplete) {
      response.release();
    }

    @Override
    public void abort() {}

    @Override
    public void upgraded(HttpResponse switching, Channel backend, BackendLoad load) {
      backend.close();
    }
  }
}
