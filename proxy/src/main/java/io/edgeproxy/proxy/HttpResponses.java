package io.edgeproxy.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;

/**
 * The answers the edge makes itself (redirects and errors): a status and a one-line text body that
 * says what was wrong and, where it helps, what was expected, e.g. {@code 503 Service Unavailable:
 * app web has no healthy backend}.
 */
final class HttpResponses {
  private HttpResponses() {}

  /** 200 with exactly {@code body} as text/plain (an ACME HTTP-01 answer). */
  static FullHttpResponse exactly(ByteBufAllocator alloc, String body) {
    byte[] bytes = body.getBytes(StandardCharsets.US_ASCII);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
        alloc.buffer(bytes.length).writeBytes(bytes));
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain").setInt(HttpHeaderNames.CONTENT_LENGTH, bytes.length);
    return response;
  }

  /** {@code status} with the body "{code} {reason}: {detail}\n", and a Location header when not null. */
  /** 401 for a request without a client token of {@code app} (edge auth), with its RFC 6750 challenge. */
  static FullHttpResponse unauthorized(ByteBufAllocator alloc, String app, io.edgeproxy.core.edge.EdgeAuth.Refusal refused) {
    FullHttpResponse r = text(alloc, HttpResponseStatus.UNAUTHORIZED, refused.problem(), null);
    r.headers().set(HttpHeaderNames.WWW_AUTHENTICATE, "Bearer realm=\"" + app + "\""
        + (refused.tokenGiven() ? ", error=\"invalid_token\"" : ""));
    return r;
  }

  static FullHttpResponse text(ByteBufAllocator alloc, HttpResponseStatus status, String detail, @Nullable String location) {
    byte[] body = (status.code() + " " + status.reasonPhrase() + ": " + detail + "\n").getBytes(StandardCharsets.UTF_8);
    ByteBuf content = alloc.buffer(body.length).writeBytes(body);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, body.length)
        .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_STORE);
    if (location != null) {
      response.headers().set(HttpHeaderNames.LOCATION, location);
    }
    return response;
  }
}
