package io.edgeproxy.tools.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.datatype.jsr310.JavaTimeModule;
import io.edgeproxy.core.config.ListenerConfig;
import io.edgeproxy.core.geo.SocketAddresses;
import io.edgeproxy.core.routing.RoutingSnapshot;
import io.edgeproxy.tools.EdgeNode;
import io.netty.bootstrap.ServerBootstrap;
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
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's local admin endpoint, for the CLI and monitoring (loopback by default):
 * {@code GET /v1/status}, {@code /v1/members}, {@code /v1/backends}, {@code /v1/tunnels} and
 * {@code /v1/route/explain?app=&ip=}, {@code /v1/receipts/NODE:VERSION} (JSON; the last three in
 * {@link AdminQueries}) and {@code GET /metrics} (Prometheus text); and {@code POST /v1/flush?db=PATH},
 * which versions what was just written to routing.db and answers with its write receipt. Requests
 * are answered on a virtual thread: building a status may wait for the replication thread.
 */
public final class AdminServer implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(AdminServer.class);
  private static final ObjectMapper JSON = new ObjectMapper().registerModule(new JavaTimeModule())
      .disable(SerializationFeature.WRITE_DATES_AS_TIMESTAMPS).enable(SerializationFeature.INDENT_OUTPUT);

  private final EventLoopGroup group;
  private final Channel channel;
  private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();

  private AdminServer(EventLoopGroup group, Channel channel) {
    this.group = group;
    this.channel = channel;
  }

  /** Binds {@code address}; blocks until bound. */
  public static AdminServer start(InetSocketAddress address, EdgeNode node) {
    EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory("admin", true), NioIoHandler.newFactory());
    NodeMetrics metrics = node.metrics();
    AdminServer[] self = new AdminServer[1];
    try {
      Channel channel = new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
          .childHandler(new ChannelInitializer<SocketChannel>() {
            @Override
            protected void initChannel(SocketChannel ch) {
              ch.pipeline().addLast(new HttpServerCodec(), new HttpObjectAggregator(8 * 1024),
                  new Handler(node, metrics, self[0].workers));
            }
          })
          .bind(address).syncUninterruptibly().channel();
      self[0] = new AdminServer(group, channel);
      logger.info("admin endpoint on http://{}/ (status, members, metrics)", SocketAddresses.format((InetSocketAddress) channel.localAddress()));
      return self[0];
    } catch (Exception e) {
      group.shutdownGracefully();
      throw new IllegalStateException("cannot listen on " + SocketAddresses.format(address) + ": " + e.getMessage(), e);
    }
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
    workers.shutdownNow();
    group.shutdownGracefully(0, 1, java.util.concurrent.TimeUnit.SECONDS).syncUninterruptibly();
  }

  /** The edge cache, as {@code GET /v1/cache} shows it: counters by app (with the hit ratio), entries, bytes. */
  public static java.util.Map<String, Object> cacheView(EdgeNode node) {
    io.edgeproxy.cache.HttpCache.Stats stats = node.proxy().cacheStats();
    java.util.Map<String, Object> out = new java.util.LinkedHashMap<>();
    out.put("enabled", stats != null);
    out.put("entries", stats == null ? 0 : stats.keys());
    out.put("bytes", stats == null ? 0 : stats.bytes());
    if (stats != null && stats.disk() != null) {
      java.util.Map<String, Object> disk = new java.util.LinkedHashMap<>();
      disk.put("entries", stats.disk().keys());
      disk.put("bytes", stats.disk().bytes());
      disk.put("errors", stats.disk().errors());
      disk.put("lastError", stats.disk().lastError());
      out.put("disk", disk);
    }
    out.put("apps", appsOf(stats));
    out.put("shield", appsOf(node.proxy().shieldStats())); // what other POPs asked this one as their shield
    return out;
  }

  /** Counters by app, with the hit ratio. */
  private static List<java.util.Map<String, Object>> appsOf(io.edgeproxy.cache.HttpCache.@org.jspecify.annotations.Nullable Stats stats) {
    List<java.util.Map<String, Object>> apps = new ArrayList<>();
    if (stats != null) {
      for (io.edgeproxy.cache.HttpCache.AppStats a : stats.apps()) {
        java.util.Map<String, Object> app = new java.util.LinkedHashMap<>();
        app.put("app", a.app());
        app.put("hits", a.hits());
        app.put("misses", a.misses());
        app.put("hitRatio", Math.round(a.hitRatio() * 1000) / 1000.0);
        app.put("stale", a.stale());
        app.put("collapsed", a.collapsed());
        app.put("bypassed", a.bypassed());
        app.put("stored", a.stored());
        app.put("purged", a.purged());
        app.put("evicted", a.evicted());
        app.put("bytesFromCache", a.bytesFromCache());
        app.put("diskHits", a.diskHits());
        app.put("bytesFromDisk", a.bytesFromDisk());
        apps.add(app);
      }
    }
    return apps;
  }

  /** This POP's status, as {@code GET /v1/status} shows it. */
  public static NodeStatus status(EdgeNode node) {
    RoutingSnapshot snapshot = node.state().current();
    List<String> listeners = new ArrayList<>();
    List<ListenerConfig> configured = node.config().proxy().listeners();
    for (int i = 0; i < node.proxyAddresses().size(); i++) {
      listeners.add(configured.get(i).app() + "@" + SocketAddresses.format(node.proxyAddresses().get(i)));
    }
    String version = AdminServer.class.getPackage().getImplementationVersion();
    return new NodeStatus(version == null ? "development" : version, node.config().node().region(),
        node.config().node().dbPath().toString(), snapshot.version(), snapshot.backends().size(), snapshot.appNames().size(),
        listeners, node.proxy().activeConnections(), healthChecks(node), node.replicator() == null ? null : node.replicator().status(),
        https(node), node.wireGuard() == null ? null : node.wireGuard().status());
  }

  private static NodeStatus.@org.jspecify.annotations.Nullable Https https(EdgeNode node) {
    var certificates = node.certificates();
    if (certificates == null || node.edgeAddress() == null) {
      return null;
    }
    return new NodeStatus.Https(SocketAddresses.format(node.edgeAddress()),
        node.httpAddress() == null ? null : SocketAddresses.format(node.httpAddress()), certificates.providerDescription(),
        certificates.names(), certificates.seal().source(), certificates.seal().id(),
        node.acme() == null ? List.of() : node.acme().status());
  }

  private static NodeStatus.HealthChecks healthChecks(EdgeNode node) {
    int up = 0;
    List<String> down = new ArrayList<>();
    var all = node.healthChecker().backends();
    for (var h : all) {
      if (h.up()) {
        up++;
      } else {
        down.add(h.app() + "/" + h.backendId() + ": " + h.lastResult());
      }
    }
    return new NodeStatus.HealthChecks(all.size(), up, down);
  }

  private static final class Handler extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final EdgeNode node;
    private final NodeMetrics metrics;
    private final ExecutorService workers;

    Handler(EdgeNode node, NodeMetrics metrics, ExecutorService workers) {
      this.node = node;
      this.metrics = metrics;
      this.workers = workers;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      QueryStringDecoder query = new QueryStringDecoder(request.uri());
      String path = query.path();
      boolean keepAlive = io.netty.handler.codec.http.HttpUtil.isKeepAlive(request);
      HttpMethod expected = path.equals("/v1/flush") ? HttpMethod.POST : HttpMethod.GET;
      if (!request.method().equals(expected)) {
        respond(ctx, keepAlive, HttpResponseStatus.METHOD_NOT_ALLOWED, "application/json",
            "{\"error\":\"" + request.method() + " " + path + " (expected: " + expected + ")\"}\n");
        return;
      }
      workers.execute(() -> {
        try {
          switch (path) {
            case "/v1/status" -> respond(ctx, keepAlive, HttpResponseStatus.OK, "application/json", JSON.writeValueAsString(status(node)) + "\n");
            case "/v1/members" -> respond(ctx, keepAlive, HttpResponseStatus.OK, "application/json", JSON.writeValueAsString(members(node)) + "\n");
            case "/v1/cache" -> respond(ctx, keepAlive, HttpResponseStatus.OK, "application/json",
                JSON.writeValueAsString(cacheView(node)) + "\n");
            case "/v1/tunnels" -> respond(ctx, keepAlive, HttpResponseStatus.OK, "application/json",
                JSON.writeValueAsString(TunnelViews.of(node)) + "\n");
            case "/v1/backends" -> respond(ctx, keepAlive, HttpResponseStatus.OK, "application/json",
                JSON.writeValueAsString(AdminQueries.liveBackends(node)) + "\n");
            case "/v1/route/explain" -> {
              AdminQueries.Answer answer = AdminQueries.explain(node, query.parameters());
              respond(ctx, keepAlive, answer.status(), "application/json", JSON.writeValueAsString(answer.body()) + "\n");
            }
            case "/metrics" -> respond(ctx, keepAlive, HttpResponseStatus.OK, "text/plain; version=0.0.4; charset=utf-8", metrics.scrape());
            case "/v1/flush" -> {
              AdminQueries.Answer answer = AdminReceipts.flush(node, query.parameters());
              respond(ctx, keepAlive, answer.status(), "application/json", JSON.writeValueAsString(answer.body()) + "\n");
            }
            default -> {
              if (path.startsWith("/v1/receipts/")) {
                AdminQueries.Answer answer = AdminReceipts.status(node, path.substring("/v1/receipts/".length()));
                respond(ctx, keepAlive, answer.status(), "application/json", JSON.writeValueAsString(answer.body()) + "\n");
                return;
              }
              respond(ctx, keepAlive, HttpResponseStatus.NOT_FOUND, "application/json",
                "{\"error\":\"no such path " + path.replace("\"", "") + " (expected: /v1/status, /v1/members, /metrics, /v1/backends,"
                    + " /v1/route/explain?app=&ip=, /v1/receipts/NODE:VERSION, POST /v1/flush)\"}\n");
            }
          }
        } catch (Exception e) {
          respond(ctx, keepAlive, HttpResponseStatus.INTERNAL_SERVER_ERROR, "application/json",
              "{\"error\":\"" + String.valueOf(e.getMessage()).replace("\"", "'") + "\"}\n");
        }
      });
    }

    private static Map<String, Object> members(EdgeNode node) {
      var replicator = node.replicator();
      if (replicator == null) {
        return Map.of("replication", false, "members", List.of());
      }
      var status = replicator.status();
      List<Map<String, Object>> members = new ArrayList<>();
      members.add(Map.of("nodeId", status.nodeId(), "region", node.config().node().region(), "self", true,
          "streamAddress", status.streamAddress(), "connected", true));
      for (var peer : status.peers()) {
        members.add(Map.of("nodeId", peer.nodeId(), "region", peer.region(), "self", false,
            "streamAddress", peer.streamAddress(), "connected", peer.connected()));
      }
      return Map.of("replication", true, "cluster", status.clusterName(), "members", members);
    }

    private static void respond(ChannelHandlerContext ctx, boolean keepAlive, HttpResponseStatus status, String type, String body) {
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status,
          Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, type);
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
      if (keepAlive) {
        ctx.writeAndFlush(response);
      } else {
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
