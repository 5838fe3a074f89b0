package io.edgeproxy.proxy;

import io.edgeproxy.core.routing.BackendLoad;
import io.edgeproxy.core.routing.RouteDecision;
import io.edgeproxy.core.routing.Router;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of one proxied connection: routes it (affinity, selection, slot reservation),
 * connects to the backend on the client's own event loop with a timeout, fails over to the
 * next-best backend on a refused or timed-out connect (bounded attempts), then hands both channels
 * to {@link RelayHandler}s. The client is not read from until a backend is connected; whatever
 * a transport delivers early anyway (io_uring reads a socket whose peer half-closed even with
 * reads paused) is held, bounded by that one read, and forwarded once the backend is connected.
 *
 * <p>Runs on the client channel's event loop only.
 */
final class ProxyFrontendHandler extends ChannelInboundHandlerAdapter {
  private static final Logger logger = LoggerFactory.getLogger(ProxyFrontendHandler.class);

  private final ProxyListener listener;
  private final ProxyConnection connection;
  private final String app;
  private final boolean startWhenAdded;
  private final @Nullable SslHandler tls;
  /** Backends whose connect failed, in order; allocated on the first failure. */
  private List<String> tried = java.util.Collections.emptyList();
  /** What the client sent before the backend was connected; allocated on the first such read. */
  private @Nullable List<Object> early;
  private boolean clientInputShutEarly;
  private InetAddress clientAddress;
  /** The connection's access log line, when EDGEPROXY_TCP_ACCESS_LOG is on; else null. */
  private @Nullable TcpAccessLog log;

  /** For a client just accepted: routing starts when the channel turns active. */
  ProxyFrontendHandler(ProxyListener listener, ProxyConnection connection) {
    this(listener, connection, listener.app(), false, null);
  }

  /**
   * @param app the app to route to
   * @param startWhenAdded true when added to a channel that is already active (the HTTPS edge adds
   *     it once it knows the app); its reads must be paused then
   * @param tls the client's {@code SslHandler} when the HTTPS edge ended TLS on it, else null
   */
  ProxyFrontendHandler(ProxyListener listener, ProxyConnection connection, String app, boolean startWhenAdded,
      @Nullable SslHandler tls) {
    this.listener = listener;
    this.connection = connection;
    this.app = app;
    this.startWhenAdded = startWhenAdded;
    this.tls = tls;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (startWhenAdded) {
      start(ctx.channel());
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    if (!startWhenAdded) {
      start(ctx.channel());
    }
  }

  private void start(Channel client) {
    clientAddress = ((InetSocketAddress) client.remoteAddress()).getAddress();
    if (listener.config().tcpAccessLog()) {
      log = TcpAccessLog.of(client, app);
      connection.logTo(log);
    }
    attempt(client);
  }

  private void attempt(Channel client) {
    Router router = listener.router();
    RouteDecision decision = router.route(app, clientAddress, tried);
    if (!(decision instanceof RouteDecision.Reserved reserved)) {
      listener.stats().refused();
      logger.debug("{} app {}: no backend ({})", client.remoteAddress(), app, ((RouteDecision.Refused) decision).reason());
      if (log != null) {
        log.outcome(tried.isEmpty() ? "no backend: " + ((RouteDecision.Refused) decision).reason()
            : "connect failed to " + String.join(", ", tried) + "; no other backend");
      }
      client.close();
      return;
    }
    listener.stats().picked(reserved.tier());
    if (reserved.backend().isTunnel()) {
      ClientLoop.whenDone(listener.tunnels().open(reserved.backend()), client.eventLoop(), listener.config().connectTimeout(),
          (stream, cause) -> connected(client, reserved, stream, cause));
      return;
    }
    ChannelFuture connect = connection.loop().backendBootstrap().connect(reserved.backend().socketAddress());
    connect.addListener((ChannelFutureListener) f -> connected(client, reserved, f.isSuccess() ? f.channel() : null, f.cause()));
  }

  private void connected(Channel client, RouteDecision.Reserved reserved, @Nullable Channel backend, @Nullable Throwable cause) {
    try {
      onConnect(client, reserved, backend, cause);
    } catch (RuntimeException e) {
      // Netty would log and swallow this, leaving both channels open with reads off: close them
      // (the backend's close releases the slot).
      logger.debug("{}: routing to {} failed: {}", client.remoteAddress(), reserved.backend().id(), e.toString());
      client.close();
      if (backend != null) {
        backend.close();
      } else {
        reserved.lease().release();
      }
    }
  }

  private void onConnect(Channel client, RouteDecision.Reserved reserved, @Nullable Channel connected, @Nullable Throwable cause) {
    Router router = listener.router();
    if (connected == null) {
      listener.stats().connectFailed();
      boolean ejected = false;
      if (ClientLoop.notHeldAgainst(cause)) {
        router.atCapacity(app, clientAddress, reserved); // a busy tunnel (or one just lost): no ejection
      } else {
        ejected = router.connectFailed(app, clientAddress, reserved);
      }
      logger.debug("{} -> {} ({}) connect failed: {}{}", client.remoteAddress(), reserved.backend().id(),
          reserved.backend().isTunnel() ? "tunnel at " + reserved.backend().tunnel().pop() : reserved.backend().socketAddress(),
          String.valueOf(cause), ejected ? "; backend ejected" : "");
      if (tried.isEmpty()) {
        tried = new ArrayList<>(2);
      }
      tried.add(reserved.backend().id());
      if (client.isActive() && tried.size() < listener.connectAttempts()) {
        attempt(client);
      } else {
        if (log != null) {
          log.outcome(client.isActive() ? "connect failed to " + String.join(", ", tried) : "client left while connecting");
        }
        client.close();
      }
      return;
    }
    Channel backend = connected;
    backend.closeFuture().addListener(x -> reserved.lease().release());
    if (tls != null) {
      // TLS ended here: whichever way the client's channel closes (the SslHandler may close it on
      // its own), the backend's follows; its close future always completes.
      client.closeFuture().addListener(x -> RelayHandler.Relays.flushAndClose(backend, null));
    }
    connection.backendConnected(backend);
    router.connected(reserved);
    if (!client.isActive()) {
      backend.close();
      return;
    }
    if (logger.isDebugEnabled()) {
      logger.debug("{} -> {}", client.remoteAddress(), reserved.explain());
    }
    if (listener.state().current().settingsOf(reserved.backend().app()).proxyProtocol()) {
      ProxyProtocolHeader.write(backend, client, reserved);
    }
    BackendLoad load = reserved.candidate().load();
    java.util.function.LongConsumer fromBackend = load::addBytesFromBackend;
    java.util.function.LongConsumer toBackend = load::addBytesToBackend;
    if (log != null) {
      TcpAccessLog line = log;
      line.backend(reserved.backend().id());
      fromBackend = fromBackend.andThen(line::fromBackend);
      toBackend = toBackend.andThen(line::toBackend);
    }
    ClientLoop.addLast(backend, client.eventLoop(), "relay", new RelayHandler(client, tls, connection, fromBackend));
    // The relay takes this handler's place, so whatever the client sends from now on is relayed:
    // one handler fewer for every read of the connection, and nothing of the routing (lists,
    // addresses) kept for its life. What came before is forwarded here.
    client.pipeline().replace(this, null, new RelayHandler(backend, null, connection, toBackend));
    forwardEarly(client, backend);
    client.config().setAutoRead(true);
    backend.config().setAutoRead(true);
  }

  private void forwardEarly(Channel client, Channel backend) {
    if (early != null) {
      early.forEach(msg -> backend.write(msg, backend.voidPromise()));
      early = null;
      backend.flush();
    }
    if (clientInputShutEarly) {
      RelayHandler.relayHalfClose(client, backend, null);
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    // Only before the backend is connected: then the relay replaces this handler.
    if (early == null) {
      early = new ArrayList<>(1);
    }
    early.add(msg);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      clientInputShutEarly = true;
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (early != null) {
      early.forEach(ReferenceCountUtil::release);
      early = null;
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    logger.debug("client {} failed: {}", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }

}
