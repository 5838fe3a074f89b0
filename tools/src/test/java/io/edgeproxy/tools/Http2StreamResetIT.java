package io.edgeproxy.tools;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.edgeproxy.core.config.EdgeTlsConfig;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.http2.Http2StreamFrame;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A client that resets one HTTP/2 stream in the middle of its response, on a connection it goes on
 * using (curl cannot do that; Netty's own HTTP/2 client can): the edge drops that stream's backend
 * connection and gives its slot back, and the connection's other streams carry on.
 */
@Timeout(60)
class Http2StreamResetIT extends HttpsEdgeTestBase {

  @Test
  void aResetStreamLetsGoOfItsBackendAndTheConnectionServesTheNextStream() throws Exception {
    Path certs = dir.resolve("certs");
    issue(certs, "apps", "*.apps.test");
    EdgeNode node = startNode(dir.resolve("pop"), c -> c.withTls(EdgeTlsConfig.forTest().withDomain("apps.test")
        .withCertificatesDir(certs)));
    AtomicBoolean slowWriteFailed = new AtomicBoolean();
    AtomicLong slowBytes = new AtomicLong();
    TestHttpBackend backend = new TestHttpBackend((request, out, in) -> {
      if (!request.target().equals("/slow")) {
        TestHttpBackend.ok(out, "fast");
        return true;
      }
      out.write("HTTP/1.1 200 OK\r\nContent-Length: 1073741824\r\n\r\n".getBytes(StandardCharsets.US_ASCII)); // 1 GiB, slowly
      byte[] chunk = new byte[16 << 10];
      try {
        for (int i = 0; i < 65_536; i++) {
          out.write(chunk);
          out.flush();
          slowBytes.addAndGet(chunk.length);
          Thread.sleep(20);
        }
      } catch (IOException | InterruptedException e) {
        slowWriteFailed.set(true); // the edge closed this connection
      }
      return false;
    });
    closers.add(backend);
    sql(node, "INSERT INTO apps (name, protocol) VALUES ('one', 'http')");
    sql(node, "INSERT INTO backends (id, app, region, wg_ip, port, soft_limit, hard_limit) VALUES"
        + " ('one-1', 'one', 'sa', '127.0.0.1', " + backend.port() + ", 1, 1)"); // one request at a time

    MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
    closers.add(() -> group.shutdownGracefully(0, 1, TimeUnit.SECONDS));
    SslContext tls = SslContextBuilder.forClient().trustManager(caPem.toFile())
        .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2))
        .build();
    InetSocketAddress edge = node.edgeAddress();
    Channel connection = new Bootstrap().group(group).channel(NioSocketChannel.class)
        .handler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(tls.newHandler(ch.alloc(), "one.apps.test", edge.getPort()),
                Http2FrameCodecBuilder.forClient().build(), new Http2MultiplexHandler(new ChannelInitializer<Channel>() {
                  @Override
                  protected void initChannel(Channel ch) {
                    // no pushed streams are expected
                  }
                }));
          }
        }).connect(edge).sync().channel();

    Response slow = get(connection, "/slow");
    assertThat(slow.status.get(5, TimeUnit.SECONDS)).isEqualTo("200");
    await().atMost(Duration.ofSeconds(5)).until(() -> slow.bytes.get() > 0);
    slow.stream.close().sync(); // RST_STREAM (CANCEL): the client wants no more of it

    await().atMost(Duration.ofSeconds(10)).untilTrue(slowWriteFailed);
    Response fast = get(connection, "/fast");
    assertThat(fast.status.get(5, TimeUnit.SECONDS)).as("the slot the reset stream held is free again").isEqualTo("200");
    assertThat(fast.body.get(5, TimeUnit.SECONDS)).isEqualTo("fast");
    assertThat(connection.isActive()).as("the connection outlived the reset stream").isTrue();
    assertThat(slowBytes.get()).as("the backend was stopped, not drained").isLessThan(64L << 20);
  }

  /** One request's response as it arrives. */
  private static final class Response {
    final CompletableFuture<String> status = new CompletableFuture<>();
    final CompletableFuture<String> body = new CompletableFuture<>();
    final AtomicLong bytes = new AtomicLong();
    final StringBuilder text = new StringBuilder();
    Http2StreamChannel stream;
  }

  private static Response get(Channel connection, String path) throws Exception {
    Response response = new Response();
    response.stream = new Http2StreamChannelBootstrap(connection).handler(new SimpleChannelInboundHandler<Http2StreamFrame>() {
      @Override
      protected void channelRead0(ChannelHandlerContext ctx, Http2StreamFrame frame) {
        if (frame instanceof Http2HeadersFrame headers) {
          response.status.complete(String.valueOf(headers.headers().status()));
        } else if (frame instanceof Http2DataFrame data) {
          response.bytes.addAndGet(data.content().readableBytes());
          if (response.bytes.get() < 4096) {
            response.text.append(data.content().toString(StandardCharsets.UTF_8));
          }
          if (data.isEndStream()) {
            response.body.complete(response.text.toString());
          }
        }
      }
    }).open().sync().getNow();
    response.stream.writeAndFlush(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().method("GET").scheme("https")
        .authority("one.apps.test").path(path), true)).sync();
    return response;
  }
}
