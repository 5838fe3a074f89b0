package io.edgeproxy.discovery;

import io.edgeproxy.core.geo.SocketAddresses;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.timeout.IdleStateEvent;
import io.netty.handler.timeout.IdleStateHandler;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The discovery API's HTTP/1.1 server (Netty): bodies are limited to {@value #MAX_BODY} bytes
 * (413 beyond), idle connections close after a minute, each request runs on a virtual thread so
 * a routing.db write never blocks the event loop. Requests are counted by route and status.
 */
public final class ApiServer implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(ApiServer.class);
  static final int MAX_BODY = 64 * 1024;

  private final EventLoopGroup group;
  private final Channel channel;
  private final ExecutorService workers;
  private final ApiRouter router;

  private ApiServer(EventLoopGroup group, Channel channel, ExecutorService workers, ApiRouter router) {
    this.group = group;
    this.channel = channel;
    this.workers = workers;
    this.router = router;
  }

  /**
   * Binds the API; blocks until bound. (Leases need no timer here: every POP derives them from
   * routing.db, see the sql module's LeaseRule.)
   *
   * @throws IllegalStateException naming the address when it cannot listen
   */
  public static ApiServer start(ApiContext context) {
    return start(context, null);
  }

  /**
   * Binds the API, over TLS when {@code tls} is given (every connection must then start with a TLS
   * handshake; anything else is closed). Blocks until bound.
   *
   * @throws IllegalStateException naming the address when it cannot listen
   */
  public static ApiServer start(ApiContext context, @Nullable SslContext tls) {
    ApiRouter router = new ApiRouter(context);
    ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("api", true), NioIoHandler.newFactory());
    try {
      Channel channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              if (tls != null) {
                ch.pipeline().addLast(tls.newHandler(ch.alloc()));
              }
              ch.pipeline().addLast(new IdleStateHandler(0, 0, 60, TimeUnit.SECONDS), new HttpServerCodec(),
                  new HttpObjectAggregator(MAX_BODY),
                  new Handler(router, workers, context.registry()));
            }
          })
          .bind(context.config().listen()).syncUninterruptibly().channel();
      logger.info("discovery API on {}://{}/ (status page /ui, OpenAPI /api/v1/openapi.yaml); heartbeat TTL {} s",
          tls == null ? "http" : "https", SocketAddresses.format((InetSocketAddress) channel.localAddress()),
          context.config().heartbeatTtl().toSeconds());
      return new ApiServer(group, channel, workers, router);
    } catch (RuntimeException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      workers.shutdownNow();
      router.close();
      throw new IllegalStateException("cannot listen on " + SocketAddresses.format(context.config().listen()) + " for the"
          + " discovery API: " + e.getMessage(), e);
    }
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    workers.shutdownNow();
    router.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }

  private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final ApiRouter router;
    private final ExecutorService workers;
    private final MeterRegistry registry;

    Handler(ApiRouter router, ExecutorService workers, MeterRegistry registry) {
      this.router = router;
      this.workers = workers;
      this.registry = registry;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      boolean head = request.method().equals(HttpMethod.HEAD);
      if (!request.decoderResult().isSuccess()) {
        write(ctx, ApiResponse.error(400, "malformed HTTP request: " + request.decoderResult().cause().getMessage()), false, false);
        return;
      }
      QueryStringDecoder uri = new QueryStringDecoder(request.uri());
      ApiRouter.Request r = new ApiRouter.Request(request.method().name(), uri.path(), uri.parameters(),
          request.headers().get(HttpHeaderNames.AUTHORIZATION), ByteBufUtil.getBytes(request.content()));
      workers.execute(() -> {
        ApiResponse response;
        try {
          response = router.handle(r);
        } catch (RuntimeException e) {
          logger.warn("{} {} failed", r.method(), ApiRouter.routeOf(r.method(), r.path()), e);
          response = ApiResponse.error(500, "internal error: " + e.getMessage());
        }
        Counter.builder("edge.api.requests").tag("route", ApiRouter.routeOf(r.method(), r.path())).tag("method", r.method())
            .tag("status", Integer.toString(response.status())).description("Discovery API requests, by route, method and status")
            .register(registry).increment();
        write(ctx, response, keepAlive, head);
      });
    }

    private static void write(ChannelHandlerContext ctx, ApiResponse r, boolean keepAlive, boolean head) {
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(r.status()),
          head ? Unpooled.EMPTY_BUFFER : Unpooled.wrappedBuffer(r.body()));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, r.contentType());
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, r.body().length);
      response.headers().set(HttpHeaderNames.CACHE_CONTROL, "no-store");
      r.headers().forEach((name, value) -> response.headers().set(name, value));
      HttpUtil.setKeepAlive(response, keepAlive);
      var future = ctx.writeAndFlush(response);
      if (!keepAlive) {
        future.addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
      if (event instanceof IdleStateEvent) {
        ctx.close();
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      logger.debug("API connection {}: {}", ctx.channel().remoteAddress(), cause.toString());
      ctx.close();
    }
  }
}
