package io.edgeproxy.proxy;

import io.edgeproxy.cache.HttpCache;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetAddress;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * A request of an app in HTTP mode on its way to a backend, as the front handler read it
 * ({@code msg}: its head, or its whole self) and as it goes on ({@link #toBackend}, made the first
 * time it is needed: a cache hit never needs it); kept while it waits for the same request at the
 * origin. Loop thread only.
 */
final class ForwardedRequest {
  private final Object msg;
  private final HttpRequest request;
  private final Supplier<HttpRequest> makeToBackend;
  private final HttpRequestLog log;
  private final InetAddress from;
  private final boolean hasBody;
  private final @Nullable String upgrade;
  private final String app;
  private final String scheme;
  private final @Nullable String host;
  private @Nullable HttpRequest toBackend;
  private @Nullable String key;

  ForwardedRequest(Object msg, HttpRequest request, Supplier<HttpRequest> toBackend, HttpRequestLog log, InetAddress from,
      boolean hasBody, @Nullable String upgrade, String app, String scheme, @Nullable String host) {
    this.msg = msg;
    this.request = request;
    this.makeToBackend = toBackend;
    this.log = log;
    this.from = from;
    this.hasBody = hasBody;
    this.upgrade = upgrade;
    this.app = app;
    this.scheme = scheme;
    this.host = host;
  }

  /** The request as the backend gets it (the same object every time: the cache's plans adjust its fields). */
  HttpRequest toBackend() {
    HttpRequest r = toBackend;
    if (r == null) {
      r = makeToBackend.get();
      toBackend = r;
    }
    return r;
  }

  String key() {
    String k = key;
    if (k == null) {
      k = HttpCache.keyOf(app, scheme, host, request.uri());
      key = k;
    }
    return k;
  }

  Object msg() {
    return msg;
  }

  HttpRequest request() {
    return request;
  }

  HttpRequestLog log() {
    return log;
  }

  InetAddress from() {
    return from;
  }

  boolean hasBody() {
    return hasBody;
  }

  @Nullable String upgrade() {
    return upgrade;
  }

  String app() {
    return app;
  }

  String scheme() {
    return scheme;
  }

  @Nullable String host() {
    return host;
  }
}
