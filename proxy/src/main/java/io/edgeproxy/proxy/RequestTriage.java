package io.edgeproxy.proxy;

import io.edgeproxy.core.edge.EdgeAuth;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * What the edge does with a request head before any cache or backend sees it: refuse it (400,
 * 421), redirect it (308), answer an ACME challenge, ask for a client token (401), or proxy it
 * to its app as the backend will get it. Reads the site's tables; sends nothing.
 */
final class RequestTriage {
  private RequestTriage() {}

  /** What becomes of a request. {@code close}: the HTTP/1.x connection closes after the answer. */
  sealed interface Outcome {
    /** The edge answers {@code status} with {@code detail} (and {@code location} for a redirect). */
    record Answer(HttpResponseStatus status, String detail, @Nullable String location, boolean close) implements Outcome {}

    /** An ACME HTTP-01 challenge for {@code token}. */
    record Challenge(String token, boolean close) implements Outcome {}

    /** Edge auth refused it: 401. */
    record Unauthorized(String app, EdgeAuth.Refusal refusal, boolean close) implements Outcome {}

    /** Proxied (through the cache when the app has it on). */
    record Proxy(ForwardedRequest request, boolean keepAlive) implements Outcome {}
  }

  /**
   * @param msg the request head (a {@link LastHttpContent} too when it has no body to follow)
   * @param from the client (a shield request: the one the asking POP named)
   */
  static Outcome of(HttpSite site, Object msg, HttpRequest request, InetSocketAddress from, HttpRequestLog log, boolean http2) {
    if (request.decoderResult().isFailure()) {
      return new Outcome.Answer(HttpResponseStatus.BAD_REQUEST, "malformed request: " + request.decoderResult().cause().getMessage(),
          null, true);
    }
    HttpHosts.HostHeader host = site.hostOf(request, http2 || request.protocolVersion().equals(HttpVersion.HTTP_1_1));
    if (host instanceof HttpHosts.HostHeader.Invalid invalid) {
      return new Outcome.Answer(HttpResponseStatus.BAD_REQUEST, invalid.problem(), null, true);
    }
    String name = host instanceof HttpHosts.HostHeader.Present p ? p.name() : null;
    String raw = host instanceof HttpHosts.HostHeader.Present p ? p.raw() : null;
    boolean hasBody = !(msg instanceof LastHttpContent)
        && (http2 || HttpUtil.isTransferEncodingChunked(request) || HttpUtil.getContentLength(request, 0L) > 0);
    boolean keepAlive = http2 || HttpUtil.isKeepAlive(request);
    boolean close = hasBody || !keepAlive; // an answer without reading the body: the connection cannot be kept
    if (site.plain() && request.uri().startsWith(HttpFrontHandler.ACME_CHALLENGE)) {
      return new Outcome.Challenge(request.uri().substring(HttpFrontHandler.ACME_CHALLENGE.length()), close);
    }
    return switch (site.target(name)) {
      case HttpSite.Target.Redirect r -> {
        String location = "https://" + (name == null ? raw : name) + (site.httpsPort() == 443 ? "" : ":" + site.httpsPort())
            + HttpHosts.pathOf(request.uri());
        yield new Outcome.Answer(HttpResponseStatus.PERMANENT_REDIRECT, location, location, close);
      }
      case HttpSite.Target.Misdirected m -> new Outcome.Answer(HttpResponseStatus.MISDIRECTED_REQUEST,
          NoAppHandler.noAppAt(name == null ? "this address without a Host name" : name), null, close);
      case HttpSite.Target.Proxy proxy when site.shield() && !site.shields(proxy.app(), request) ->
          new Outcome.Answer(HttpResponseStatus.MISDIRECTED_REQUEST, "this POP does not shield app "
              + request.headers().get(CacheShields.APP_FIELD) + " at " + name, null, close);
      case HttpSite.Target.Proxy proxy -> {
        log.app(proxy.app());
        EdgeAuth.Refusal refused = site.refusal(proxy.app(), request.headers());
        if (refused != null) {
          yield new Outcome.Unauthorized(proxy.app(), refused, close);
        }
        String upgrade = http2 ? null : HttpForwarding.upgradeOf(request);
        java.util.function.Supplier<HttpRequest> toBackend = () -> {
          HttpRequest out = site.shield() ? HttpForwarding.fromEdge(request, hasBody)
              : HttpForwarding.toBackend(request, from.getAddress(), site.proto(), raw, upgrade, hasBody);
          out.headers().remove("expect"); // 100 Continue is answered here
          return out;
        };
        yield new Outcome.Proxy(new ForwardedRequest(msg, request, toBackend, log, from.getAddress(), hasBody, upgrade, proxy.app(),
            site.shield() ? HttpForwarding.schemeOfShieldRequest(request) : site.proto(), name == null ? raw : name), keepAlive);
      }
    };
  }
}
