package io.edgeproxy.proxy;

import io.edgeproxy.core.edge.HostNames;
import io.edgeproxy.core.edge.HostRouter;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import java.nio.charset.StandardCharsets;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTPS edge's plain HTTP listener (EDGEPROXY_HTTP_LISTEN_ADDR): each request is routed by its
 * {@code Host} as a server name is on the HTTPS listener, and a name that reaches an app is
 * answered {@code 308 Permanent Redirect} to the same path over HTTPS (RFC 9110 section 15.4.9:
 * the method and body are kept); a name no app is served at gets {@code 421}, a request the
 * decoder refused or one without a usable {@code Host} gets {@code 400}, each with a short text
 * body. Nothing reaches a backend here. Keep-alive is honoured; request bodies are read and dropped.
 */
final class PlainHttpHandler extends SimpleChannelInboundHandler<HttpObject> {
  private static final Logger logger = LoggerFactory.getLogger(PlainHttpHandler.class);

  private final EdgeListener edge;
  private final int httpsPort;

  PlainHttpHandler(EdgeListener edge, int httpsPort) {
    this.edge = edge;
    this.httpsPort = httpsPort;
  }

  @Override
  protected void channelRead0(ChannelHandlerContext ctx, HttpObject msg) {
    if (!(msg instanceof HttpRequest request)) {
      return; // body parts of a request already answered
    }
    boolean keepAlive = HttpUtil.isKeepAlive(request);
    if (request.decoderResult().isFailure()) {
      respond(ctx, HttpResponseStatus.BAD_REQUEST, "400 Bad Request: " + request.decoderResult().cause().getMessage() + "\n", null, false);
      return;
    }
    String hostHeader = request.headers().get(HttpHeaderNames.HOST);
    String host = hostHeader == null ? null : hostOf(hostHeader);
    if (hostHeader != null && host == null || hostHeader == null && request.protocolVersion().equals(HttpVersion.HTTP_1_1)) {
      respond(ctx, HttpResponseStatus.BAD_REQUEST, "400 Bad Request: " + (hostHeader == null ? "no Host header"
          : "Host is not a host name") + " (expected: Host: name[:port])\n", null, false);
      return;
    }
    HostRouter.Route route = edge.hostRouter().route(host);
    if (route instanceof HostRouter.Route.ToApp) {
      String location = "https://" + host + (httpsPort == 443 ? "" : ":" + httpsPort) + pathOf(request.uri());
      respond(ctx, HttpResponseStatus.PERMANENT_REDIRECT, "308 Permanent Redirect: " + location + "\n", location, keepAlive);
      return;
    }
    respond(ctx, HttpResponseStatus.MISDIRECTED_REQUEST,
        NoAppHandler.misdirected(host == null ? "this address without a Host header" : host), null, keepAlive);
  }

  /** The path and query of a request target: origin-form as is, absolute-form's path, "/" for anything else. */
  static String pathOf(String target) {
    if (target.startsWith("/")) {
      return target;
    }
    try {
      java.net.URI uri = new java.net.URI(target);
      String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
      return uri.getRawQuery() == null ? path : path + "?" + uri.getRawQuery();
    } catch (java.net.URISyntaxException e) {
      return "/";
    }
  }

  /** The name of a Host header ({@code name[:port]}), normalized; null when it is not a host name (IP literals are not names). */
  static @Nullable String hostOf(String header) {
    String text = header.trim();
    int colon = text.lastIndexOf(':');
    if (colon > 0 && text.indexOf(':') == colon && text.substring(colon + 1).matches("[0-9]{1,5}")) {
      text = text.substring(0, colon);
    }
    return HostNames.normalize(text).filter(n -> !HostNames.isWildcard(n)).orElse(null);
  }

  private void respond(ChannelHandlerContext ctx, HttpResponseStatus status, String body, @Nullable String location, boolean keepAlive) {
    ByteBuf content = Unpooled.copiedBuffer(body, StandardCharsets.UTF_8);
    FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
    response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8")
        .setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
    if (location != null) {
      response.headers().set(HttpHeaderNames.LOCATION, location);
    }
    if (!keepAlive) {
      response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    }
    var written = ctx.writeAndFlush(response);
    if (!keepAlive) {
      written.addListener(ChannelFutureListener.CLOSE);
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    logger.debug("{}: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
