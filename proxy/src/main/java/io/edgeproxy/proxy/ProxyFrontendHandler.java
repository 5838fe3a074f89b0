package io.edgeproxy.proxy;

import io.edgeproxy.core.routing.RouteDecision;
import io.edgeproxy.core.routing.Router;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.timeout.IdleStateEvent;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of one proxied connection: routes it (affinity, selection, slot reservation),
 * connects to the backend on the client's own event loop with a timeout, fails over to the
 * next-best backend on a refused or timed-out connect (bounded attempts), then hands both channels
 * to {@link RelayHandler}s. The client is not read from until a backend is connected.
 *
 * <p>Runs on the client channel's event loop only.
 */
final class ProxyFrontendHandler extends ChannelInboundHandlerAdapter {
  private static final Logger logger = LoggerFactory.getLogger(ProxyFrontendHandler.class);

  private final ProxyListener listener;
  private final List<String> tried = new ArrayList<>(2);
  private InetAddress clientAddress;

  ProxyFrontendHandler(ProxyListener listener) {
    this.listener = listener;
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    clientAddress = ((InetSocketAddress) ctx.channel().remoteAddress()).getAddress();
    attempt(ctx.channel());
  }

  private void attempt(Channel client) {
    Router router = listener.router();
    RouteDecision decision = router.route(listener.app(), clientAddress, tried);
    if (!(decision instanceof RouteDecision.Reserved reserved)) {
      listener.stats().refused();
      logger.debug("{} app {}: no backend ({})", client.remoteAddress(), listener.app(), ((RouteDecision.Refused) decision).reason());
      client.close();
      return;
    }
    Bootstrap bootstrap = new Bootstrap()
        .group(client.eventLoop())
        .channel(listener.transport().socketChannelClass())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, listener.connectTimeoutMillis())
        .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(NoopInitializer.INSTANCE);
    ChannelFuture connect = bootstrap.connect(reserved.backend().socketAddress());
    connect.addListener((ChannelFutureListener) f -> onConnect(client, reserved, f));
  }

  private void onConnect(Channel client, RouteDecision.Reserved reserved, ChannelFuture f) {
    Router router = listener.router();
    if (!f.isSuccess()) {
      listener.stats().connectFailed();
      boolean ejected = router.connectFailed(listener.app(), clientAddress, reserved);
      logger.debug("{} -> {} ({}) connect failed: {}{}", client.remoteAddress(), reserved.backend().id(),
          reserved.backend().socketAddress(), f.cause().toString(), ejected ? "; backend ejected" : "");
      tried.add(reserved.backend().id());
      if (client.isActive() && tried.size() < listener.connectAttempts()) {
        attempt(client);
      } else {
        client.close();
      }
      return;
    }
    Channel backend = f.channel();
    backend.closeFuture().addListener(x -> reserved.lease().release());
    router.connected(reserved);
    if (!client.isActive()) {
      backend.close();
      return;
    }
    logger.debug("{} -> {}", client.remoteAddress(), reserved.explain());
    if (listener.state().current().settingsOf(reserved.backend().app()).proxyProtocol()) {
      ProxyProtocolHeader.write(backend, client, reserved);
    }
    backend.pipeline().addLast(new RelayHandler(client));
    client.pipeline().addLast(new RelayHandler(backend));
    client.config().setAutoRead(true);
    backend.config().setAutoRead(true);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof IdleStateEvent) {
      logger.debug("{} idle for {}; closing", ctx.channel().remoteAddress(), listener.idleTimeout());
      ctx.close();
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    logger.debug("client {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

  /** A backend channel's pipeline starts empty; the relay handler is added once connected. */
  @io.netty.channel.ChannelHandler.Sharable
  static final class NoopInitializer extends ChannelInitializer<Channel> {
    static final NoopInitializer INSTANCE = new NoopInitializer();

    @Override
    protected void initChannel(Channel ch) {
      ch.config().setAutoRead(false);
    }
  }
}
