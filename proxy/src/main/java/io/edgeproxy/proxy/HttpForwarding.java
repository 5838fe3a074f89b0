package io.edgeproxy.proxy;

import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AsciiString;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * How a request and its response change on their way through the edge (RFC 9110 section 7.6):
 * hop-by-hop fields are dropped (Connection, the fields it names, Keep-Alive, Proxy-Connection, TE,
 * Upgrade unless upgrading, HTTP/2's pseudo-header leftovers); the backend learns the client from
 * {@code X-Forwarded-For} (appended to), {@code X-Forwarded-Proto}, {@code X-Forwarded-Host} (set)
 * and {@code Forwarded} (RFC 7239, appended to). The backend always gets HTTP/1.1 with a body framed
 * by Content-Length or chunked. Pure.
 */
final class HttpForwarding {
  private static final AsciiString[] HOP_BY_HOP = {HttpHeaderNames.CONNECTION, HttpHeaderNames.KEEP_ALIVE,
      HttpHeaderNames.PROXY_CONNECTION, HttpHeaderNames.TE, HttpHeaderNames.TRAILER, HttpHeaderNames.UPGRADE,
      HttpHeaderNames.PROXY_AUTHENTICATE, HttpHeaderNames.PROXY_AUTHORIZATION};
  private static final AsciiString HTTP2_EXTENSION_PREFIX = AsciiString.cached("x-http2-");
  private static final List<String> KEEP_ALIVE = List.of("keep-alive");
  private static final List<String> CLOSE = List.of("close");
  private static final Set<HttpMethod> IDEMPOTENT = Set.of(HttpMethod.GET, HttpMethod.HEAD, HttpMethod.PUT,
      HttpMethod.DELETE, HttpMethod.OPTIONS, HttpMethod.TRACE);

  /**
   * Headers of the messages built here are not validated again: every field copied into them was
   * validated by the decoder that read it (HTTP/1.1, HTTP/2, the backend's HTTP/1.1), and the
   * fields added are made from validated parts (an address, a Host that matched its pattern).
   * Validating each value a second time was the largest single cost of a request in the profile.
   */
  private static final HttpHeadersFactory COPIED = DefaultHttpHeadersFactory.headersFactory().withValidation(false);

  private HttpForwarding() {}

  /** The upgrade a request asks for (Connection: upgrade plus Upgrade), or null. */
  static @Nullable String upgradeOf(HttpRequest request) {
    String upgrade = request.headers().get(HttpHeaderNames.UPGRADE);
    return upgrade != null && request.protocolVersion().equals(HttpVersion.HTTP_1_1)
        && connectionTokens(request.headers()).contains("upgrade") ? upgrade : null;
  }

  static boolean isIdempotent(HttpRequest request) {
    return IDEMPOTENT.contains(request.method());
  }

  /**
   * The request the backend gets: {@code client}'s method, target and end-to-end fields, plus the
   * forwarding fields. {@code hasBody} false when the client's request is known to end with its head.
   */
  static HttpRequest toBackend(HttpRequest client, InetAddress from, String proto, @Nullable String hostHeader,
      @Nullable String upgrade, boolean hasBody) {
    HttpRequest out = new DefaultHttpRequest(HttpVersion.HTTP_1_1, client.method(), client.uri(), COPIED);
    HttpHeaders headers = out.headers();
    copyEndToEnd(client.headers(), headers);
    String address = from.getHostAddress();
    String previous = headers.get("x-forwarded-for");
    headers.set("x-forwarded-for", previous == null ? address : previous + ", " + address);
    headers.set("x-forwarded-proto", proto);
    if (hostHeader != null) {
      headers.set("x-forwarded-host", hostHeader);
    }
    String forwarded = "for=" + forwardedNode(from) + ";proto=" + proto
        + (hostHeader == null ? "" : ";host=\"" + hostHeader.replace("\"", "") + "\"");
    String earlier = headers.get("forwarded");
    headers.set("forwarded", earlier == null ? forwarded : earlier + ", " + forwarded);
    if (upgrade != null) {
      headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE).set(HttpHeaderNames.UPGRADE, upgrade);
    }
    return framed(out, client, hasBody);
  }

  /**
   * A request another POP sent this one's shield, as the backend gets it: its end-to-end fields,
   * with the forwarding fields the asking POP set (the client's, not the POP's) and no more.
   */
  private static final InetAddress NO_ADDRESS = io.edgeproxy.core.geo.IpAddresses.parseLiteral("0.0.0.0").orElseThrow();

  static HttpRequest fromEdge(HttpRequest edge, boolean hasBody) {
    HttpRequest out = new DefaultHttpRequest(HttpVersion.HTTP_1_1, edge.method(), edge.uri(), COPIED);
    copyEndToEnd(edge.headers(), out.headers());
    out.headers().remove(CacheShields.APP_FIELD); // between POPs only
    return framed(out, edge, hasBody);
  }

  /** {@code out} saying how its body is framed: none, or chunked when an HTTP/2 body's length is not given. */
  private static HttpRequest framed(HttpRequest out, HttpRequest client, boolean hasBody) {
    HttpHeaders headers = out.headers();
    if (!hasBody) {
      headers.remove(HttpHeaderNames.TRANSFER_ENCODING);
      if (client.method().equals(HttpMethod.POST) || client.method().equals(HttpMethod.PUT)) {
        headers.set(HttpHeaderNames.CONTENT_LENGTH, 0); // RFC 9110 8.6: a body-bearing method says it is empty
      }
    } else if (!HttpUtil.isContentLengthSet(out) && !HttpUtil.isTransferEncodingChunked(out)) {
      HttpUtil.setTransferEncodingChunked(out, true); // an HTTP/2 body of unstated length
    }
    return out;
  }

  /** The client a shield request is for: the last X-Forwarded-For entry, which the asking POP added; 0.0.0.0 without one. */
  static InetSocketAddress clientOfShieldRequest(HttpRequest request) {
    String xff = request.headers().get("x-forwarded-for");
    String last = xff == null ? "" : xff.substring(xff.lastIndexOf(',') + 1).strip();
    return new InetSocketAddress(io.edgeproxy.core.geo.IpAddresses.parseLiteral(last).orElse(NO_ADDRESS), 0);
  }

  /** The scheme a shield request's client used (the asking POP's X-Forwarded-Proto): part of the cache key. */
  static String schemeOfShieldRequest(HttpRequest request) {
    return "http".equals(request.headers().get("x-forwarded-proto")) ? "http" : "https";
  }

  /**
   * The response the client gets: the backend's status and end-to-end fields. Towards an HTTP/1.1
   * client a body of unstated length is sent chunked, so the connection can be kept; {@code closing}
   * (the edge closes the client's HTTP/1.x connection after it) adds {@code Connection: close}.
   * {@code backend} itself, changed: a response read from a backend connection is the exchange's
   * alone, and a copy of its fields per response was a fifth of the bytes a request allocated.
   */
  static HttpResponse toClient(HttpResponse backend, boolean upgraded, boolean http1Client, boolean headRequest,
      boolean closing) {
    HttpResponse out = backend.setProtocolVersion(HttpVersion.HTTP_1_1);
    String upgrade = upgraded ? backend.headers().get(HttpHeaderNames.UPGRADE, "") : null;
    dropHopByHop(out.headers());
    if (upgrade != null) {
      out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.UPGRADE).set(HttpHeaderNames.UPGRADE, upgrade);
      return out;
    }
    int code = backend.status().code();
    boolean bodiless = headRequest || code / 100 == 1 || code == 204 || code == 304;
    if (http1Client && !bodiless && !HttpUtil.isContentLengthSet(out) && !HttpUtil.isTransferEncodingChunked(out)) {
      HttpUtil.setTransferEncodingChunked(out, true);
    }
    if (http1Client && closing) {
      out.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    return out;
  }

  /** Adds {@code from}'s end-to-end fields to {@code to}, as the decoders made them (no copy of a name or value). */
  private static void copyEndToEnd(HttpHeaders from, HttpHeaders to) {
    List<String> named = connectionTokens(from);
    for (var it = from.iteratorCharSequence(); it.hasNext(); ) {
      var entry = it.next();
      if (endToEnd(entry.getKey(), named)) {
        to.add(entry.getKey(), entry.getValue());
      }
    }
  }

  /** Removes the fields of {@code headers} that are not end-to-end. */
  private static void dropHopByHop(HttpHeaders headers) {
    List<String> named = connectionTokens(headers);
    List<CharSequence> dropped = null;
    for (var it = headers.iteratorCharSequence(); it.hasNext(); ) {
      CharSequence name = it.next().getKey();
      if (!endToEnd(name, named)) {
        if (dropped == null) {
          dropped = new ArrayList<>(4);
        }
        dropped.add(name);
      }
    }
    if (dropped != null) {
      dropped.forEach(headers::remove);
    }
  }

  /** True for a field that goes on to the next hop: not hop-by-hop, not named by Connection, no HTTP/2 leftover. */
  private static boolean endToEnd(CharSequence name, List<String> named) {
    for (AsciiString hop : HOP_BY_HOP) {
      if (AsciiString.contentEqualsIgnoreCase(name, hop)) {
        return false;
      }
    }
    for (int i = 0; i < named.size(); i++) { // by index: an iterator per field was 4.5 % of an h2 request's allocation
      if (AsciiString.contentEqualsIgnoreCase(name, named.get(i))) {
        return false;
      }
    }
    return !AsciiString.regionMatches(name, true, 0, HTTP2_EXTENSION_PREFIX, 0, HTTP2_EXTENSION_PREFIX.length());
  }

  /** The field names {@code headers}' Connection lists, lower-cased (RFC 9110 section 7.6.1). */
  private static List<String> connectionTokens(HttpHeaders headers) {
    if (!headers.contains(HttpHeaderNames.CONNECTION)) {
      return List.of();
    }
    List<String> values = headers.getAll(HttpHeaderNames.CONNECTION);
    if (values.size() == 1) { // what nearly every message says, without splitting and lower-casing it
      String only = values.get(0);
      if (only.equalsIgnoreCase("keep-alive")) {
        return KEEP_ALIVE;
      }
      if (only.equalsIgnoreCase("close")) {
        return CLOSE;
      }
    }
    List<String> out = new ArrayList<>(2);
    for (String value : values) {
      for (String token : value.split(",")) {
        String t = token.trim().toLowerCase(Locale.ROOT);
        if (!t.isEmpty()) {
          out.add(t);
        }
      }
    }
    return out;
  }

  /** A Forwarded node (RFC 7239 section 6): IPv6 in quoted brackets. */
  private static String forwardedNode(InetAddress address) {
    String text = address.getHostAddress();
    int zone = text.indexOf('%');
    if (zone >= 0) {
      text = text.substring(0, zone);
    }
    return address instanceof Inet6Address ? "\"[" + text + "]\"" : text;
  }
}
