package io.edgeproxy.proxy;

import io.edgeproxy.cache.HttpCache;
import io.netty.handler.codec.http.HttpRequest;
import java.net.InetAddress;
import org.jspecify.annotations.Nullable;

/**
 * A request of an app in HTTP mode on its way to a backend, as the front handler read it
 * ({@code msg}: its head, or its whole self) and as it goes on ({@code toBackend}); kept while it
 * waits for the same request at the origin.
 */
record ForwardedRequest(Object msg, HttpRequest request, HttpRequest toBackend, HttpRequestLog log, InetAddress from,
    boolean hasBody, @Nullable String upgrade, String app, String scheme, @Nullable String host) {
  String key() {
    return HttpCache.keyOf(app, scheme, host, request.uri());
  }
}
