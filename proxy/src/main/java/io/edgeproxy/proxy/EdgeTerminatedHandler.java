package io.edgeproxy.proxy;

import io.edgeproxy.core.edge.HostRouter;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Waits behind the {@code SslHandler} for the end of a handshake the HTTPS edge terminates. Then an
 * app in HTTP mode is served per request ({@link HttpMode}); another routed app's connection is
 * relayed in plain bytes to one of its backends ({@link ProxyFrontendHandler}, the same routing as
 * the L4 listeners); a name no rule routes gets {@link NoAppHandler}. A failed handshake is counted
 * and closed.
 */
final class EdgeTerminatedHandler extends ChannelInboundHandlerAdapter {
  private static final Logger logger = LoggerFactory.getLogger(EdgeTerminatedHandler.class);

  private final EdgeListener edge;
  private final ProxyConnection connection;
  private final ClientHelloFields hello;
  private final HostRouter.Route route;
  private final SslHandler tls;
  private final boolean http;
  private boolean settled;

  /** @param http the app is in HTTP mode (decided with the hello, as the ALPN offer was) */
  EdgeTerminatedHandler(EdgeListener edge, ProxyConnection connection, ClientHelloFields hello, HostRouter.Route route,
      SslHandler tls, boolean http) {
    this.tls = tls;
    this.http = http;
    this.edge = edge;
    this.connection = connection;
    this.hello = hello;
    this.route = route;
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
      if (!settled) {
        edge.stats().handshakeFailed();
      }
      settled = true;
      logger.debug("{}: sent FIN during the handshake; closed", ctx.channel().remoteAddress());
      ctx.close(); // this handler is still here: the handshake has not finished, and cannot now
      return;
    }
    if (!(evt instanceof SslHandshakeCompletionEvent done)) {
      ctx.fireUserEventTriggered(evt);
      return;
    }
    if (settled) {
      return; // already counted and closed
    }
    settled = true;
    if (!done.isSuccess()) {
      if (done.cause() instanceof SslHandshakeTimeoutException) {
        edge.stats().helloTimedOut();
      } else {
        edge.stats().handshakeFailed();
      }
      logger.debug("{}: handshake for {} failed: {}", ctx.channel().remoteAddress(), hello.serverName(), done.cause().toString());
      ctx.close();
      return;
    }
    connection.touch();
    switch (route) {
      case HostRouter.Route.ToApp app when http -> {
        edge.stats().terminated();
        logger.debug("{}: {} terminated for app {} in HTTP mode ({}, {})", ctx.channel().remoteAddress(), hello.serverName(),
            app.app(), app.why(), tls.applicationProtocol());
        ctx.pipeline().remove(this);
        HttpMode.install(ctx.pipeline(), edge.httpSite(), connection, tls);
      }
      case HostRouter.Route.ToApp app -> {
        edge.stats().terminated();
        logger.debug("{}: {} terminated for app {} ({})", ctx.channel().remoteAddress(), hello.serverName(), app.app(), app.why());
        ctx.channel().config().setAutoRead(false); // the frontend reads again once the backend is connected
        ctx.pipeline().replace(this, "frontend", new ProxyFrontendHandler(edge.proxy(), connection, app.app(), true, tls));
      }
      case HostRouter.Route.Nowhere nowhere -> {
        edge.stats().noApp();
        logger.debug("{}: no app for {} ({})", ctx.channel().remoteAddress(), hello.serverName(), nowhere.why());
        ctx.pipeline().replace(this, "no-app", new NoAppHandler(hello.serverName()));
      }
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    logger.debug("{}: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close(); // the handshake event counts it
  }
}
