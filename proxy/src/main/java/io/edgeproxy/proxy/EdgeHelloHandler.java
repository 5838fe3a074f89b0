package io.edgeproxy.proxy;

import io.edgeproxy.core.edge.HostRouter;
import io.edgeproxy.core.edge.HostnameRule;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.ssl.SslClientHelloHandler;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The first handler of an HTTPS edge connection: waits for the whole ClientHello (Netty's
 * {@link SslClientHelloHandler} reassembles it, up to its size limit), reads its server name and
 * ALPN offer, and decides, in this order:
 *
 * <ol>
 *   <li>ALPN {@code edgeproxy-tunnel}: a device tunnel's TCP fallback, before any host routing:
 *       TLS ends here with the tunnels' certificate and the connection goes to {@link TunnelFallback}
 *       (refused, and counted, when this POP serves no tunnels);
 *   <li>a {@code passthrough} name: the buffered hello and everything after it go to the app's
 *       backend untouched ({@link ProxyFrontendHandler});
 *   <li>anything else: TLS ends here with the certificate chosen by name, offering ALPN h2 and
 *       http/1.1 for an app in HTTP mode and nothing otherwise ({@link EdgeTerminatedHandler} takes
 *       over after the handshake).
 * </ol>
 *
 * Bytes that are no TLS record, a malformed hello, or a hello not complete within the timeout:
 * closed and counted. The timeout runs on through the handshake when TLS ends here.
 */
final class EdgeHelloHandler extends SslClientHelloHandler<EdgeHelloHandler.Decision> {
  private static final Logger logger = LoggerFactory.getLogger(EdgeHelloHandler.class);
  static final String TUNNEL_ALPN = "edgeproxy-tunnel";
  /**
   * The longest ClientHello buffered (a hostile client cannot make the edge hold more per
   * connection); today's largest, with post-quantum key shares and many extensions, stay under 8 KiB.
   */
  static final int MAX_HELLO_BYTES = 32 * 1024;

  private final EdgeListener edge;
  private final ProxyConnection connection;
  private final long startedNanos = System.nanoTime();
  private @Nullable ScheduledFuture<?> timeout;
  private boolean settled;

  /** Where a connection goes; null fields mean the hello was unusable. */
  record Decision(@Nullable ClientHelloFields hello, HostRouter.@Nullable Route route) {}

  EdgeHelloHandler(EdgeListener edge, ProxyConnection connection) {
    super(MAX_HELLO_BYTES);
    this.edge = edge;
    this.connection = connection;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) throws Exception {
    super.handlerAdded(ctx);
    timeout = ctx.executor().schedule(() -> {
      if (!settle()) {
        return;
      }
      edge.stats().helloTimedOut();
      logger.debug("{}: no complete ClientHello within {} ms", ctx.channel().remoteAddress(), edge.config().helloTimeout().toMillis());
      ctx.channel().close();
    }, edge.config().helloTimeout().toMillis(), TimeUnit.MILLISECONDS);
  }

  /** True the first time: a connection is decided (and counted) once, whichever of timeout, FIN, error or hello comes first. */
  private boolean settle() {
    boolean first = !settled;
    settled = true;
    return first;
  }

  @Override
  protected void handlerRemoved0(ChannelHandlerContext ctx) throws Exception {
    if (timeout != null) {
      timeout.cancel(false);
    }
    super.handlerRemoved0(ctx);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) throws Exception {
    connection.touch();
    super.channelRead(ctx, msg);
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) throws Exception {
    if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
      if (settle()) {
        edge.stats().notTls();
      }
      logger.debug("{}: sent FIN before a complete ClientHello; closed", ctx.channel().remoteAddress());
      ctx.close(); // the client is done sending and no hello came: nothing can follow
      return;
    }
    super.userEventTriggered(ctx, evt);
  }

  @Override
  protected Future<Decision> lookup(ChannelHandlerContext ctx, @Nullable ByteBuf clientHello) {
    ClientHelloFields fields = clientHello == null ? null : ClientHelloFields.parse(clientHello).orElse(null);
    if (fields == null || fields.protocols().contains(TUNNEL_ALPN)) {
      return ctx.executor().newSucceededFuture(new Decision(fields, null));
    }
    return ctx.executor().newSucceededFuture(new Decision(fields, edge.hostRouter().route(fields.serverName())));
  }

  @Override
  protected void onLookupComplete(ChannelHandlerContext ctx, Future<Decision> future) {
    Decision decision = future.getNow();
    if (!settle()) {
      return;
    }
    ClientHelloFields hello = decision.hello();
    if (hello == null) {
      edge.stats().notTls();
      logger.debug("{}: not a TLS ClientHello, or a malformed one; closed", ctx.channel().remoteAddress());
      ctx.close();
      return;
    }
    if (decision.route() == null) {
      TunnelFallback tunnels = edge.tunnelFallback();
      if (tunnels == null) {
        edge.stats().tunnelRefused();
        logger.debug("{}: ALPN {} (this POP serves no device tunnels); closed", ctx.channel().remoteAddress(), TUNNEL_ALPN);
        ctx.close();
        return;
      }
      connection.untrack(); // a tunnel, not a proxied client: it has its own keepalives and idle timeout
      SslHandler tls = tunnels.tls().newHandler(ctx.alloc());
      tls.setHandshakeTimeoutMillis(Math.max(1, edge.config().helloTimeout().toMillis()
          - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos)));
      tls.handshakeFuture().addListener(f -> {
        if (f.isSuccess() && TUNNEL_ALPN.equals(tls.applicationProtocol())) {
          tunnels.serve(ctx.channel());
        } else {
          edge.stats().tunnelRefused();
          logger.debug("{}: device tunnel TLS handshake failed: {}", ctx.channel().remoteAddress(),
              f.isSuccess() ? "ALPN " + tls.applicationProtocol() + " (expected: " + TUNNEL_ALPN + ")" : f.cause().toString());
          ctx.channel().close();
        }
      });
      ctx.pipeline().replace(this, "tls", tls);
      return;
    }
    HostRouter.Route route = decision.route();
    if (route instanceof HostRouter.Route.ToApp app && app.mode() == HostnameRule.Mode.PASSTHROUGH) {
      edge.stats().passedThrough();
      logger.debug("{}: {} passed through to app {} ({})", ctx.channel().remoteAddress(), hello.serverName(), app.app(), app.why());
      ctx.channel().config().setAutoRead(false); // the frontend reads again once the backend is connected
      ctx.pipeline().replace(this, "frontend", new ProxyFrontendHandler(edge.proxy(), connection, app.app(), true, null));
      return;
    }
    boolean http = route instanceof HostRouter.Route.ToApp app && edge.isHttpMode(app.app());
    EdgeCertificates.Chosen chosen =
        edge.certificates().select(hello.serverName(), http ? EdgeCertificates.Alpn.HTTP : EdgeCertificates.Alpn.NONE);
    SslHandler tls = chosen.context().newHandler(ctx.alloc());
    if (chosen.staple() != null && tls.engine() instanceof io.netty.handler.ssl.ReferenceCountedOpenSslEngine openssl) {
      openssl.setOcspResponse(chosen.staple()); // sent only to clients that ask (status_request)
    }
    long left = edge.config().helloTimeout().toMillis() - TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startedNanos);
    tls.setHandshakeTimeoutMillis(Math.max(1, left));
    ctx.pipeline().addAfter(ctx.name(), "edge-terminated", new EdgeTerminatedHandler(edge, connection, hello, route, tls, http));
    ctx.pipeline().replace(this, "tls", tls); // the buffered hello goes to the SslHandler
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    if (settle()) {
      edge.stats().notTls();
    }
    logger.debug("{}: {}; closed", ctx.channel().remoteAddress(), cause.toString());
    ctx.close();
  }
}
