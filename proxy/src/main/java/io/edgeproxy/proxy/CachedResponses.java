package io.edgeproxy.proxy;

import io.edgeproxy.cache.CacheEntry;
import io.edgeproxy.cache.CachePolicy;
import io.edgeproxy.cache.CacheStatus;
import io.edgeproxy.cache.MemoryBody;
import io.edgeproxy.cache.HttpCache;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.util.List;

/**
 * Responses made from stored entries: the stored fields plus {@code Age} (RFC 9111 §5.1),
 * {@code Cache-Status} (RFC 9211) and the body's length; no body for HEAD.
 */
final class CachedResponses {
  /** Fields a 304 to a client's conditional request carries from the stored response (RFC 9110 §15.4.5). */
  private static final List<String> NOT_MODIFIED_FIELDS = List.of("cache-control", "content-location", "date", "etag",
      "expires", "vary", "last-modified");

  private CachedResponses() {}

  static HttpResponse head(HttpCache cache, CacheEntry entry, String cacheStatus) {
    HttpResponse r = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(entry.status()));
    fill(r.headers(), cache, entry, cacheStatus);
    return r;
  }

  static LastHttpContent body(CacheEntry entry, boolean headRequest) {
    return headRequest ? LastHttpContent.EMPTY_LAST_CONTENT : new DefaultLastHttpContent(inMemory(entry).wrap());
  }

  /** The body of an entry answered whole: in memory (a body on disk is streamed by {@link FileResponse}). */
  private static MemoryBody inMemory(CacheEntry entry) {
    if (entry.body() instanceof MemoryBody heap) {
      return heap;
    }
    throw new IllegalStateException("a body on disk is sent by FileResponse, not whole");
  }

  static FullHttpResponse full(HttpCache cache, CacheEntry entry, String cacheStatus, boolean headRequest) {
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(entry.status()),
        headRequest ? Unpooled.EMPTY_BUFFER : inMemory(entry).wrap());
    fill(r.headers(), cache, entry, cacheStatus);
    return r;
  }

  /** 304 Not Modified to a client whose own validator matches {@code entry}. */
  static FullHttpResponse notModified(HttpCache cache, CacheEntry entry, String cacheStatus) {
    long nowMs = cache.nowMs();
    FullHttpResponse r = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.NOT_MODIFIED, Unpooled.EMPTY_BUFFER);
    for (String name : NOT_MODIFIED_FIELDS) {
      List<String> values = entry.headers().getAll(name);
      if (!values.isEmpty()) {
        r.headers().set(name, values);
      }
    }
    r.headers().set(HttpHeaderNames.AGE, entry.freshness().ageSeconds(nowMs)).set(CacheStatus.FIELD, cacheStatus);
    return r;
  }

  /** The stored fields, with Age and Cache-Status; CDN-Cache-Control is ours, unless another POP asked us as its shield. */
  private static void fill(HttpHeaders out, HttpCache cache, CacheEntry entry, String cacheStatus) {
    out.add(entry.headers());
    if (!cache.forShield()) {
      out.remove(CachePolicy.CDN_CACHE_CONTROL);
    }
    out.set(HttpHeaderNames.AGE, entry.freshness().ageSeconds(cache.nowMs())).set(CacheStatus.FIELD, cacheStatus);
    if (entry.status() != 204) { // a 204 has no Content-Length (RFC 9110 §8.6)
      out.set(HttpHeaderNames.CONTENT_LENGTH, entry.body().length());
    }
  }
}
