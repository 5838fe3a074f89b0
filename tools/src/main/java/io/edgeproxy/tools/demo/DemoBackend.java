package io.edgeproxy.tools.demo;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.ByteToMessageDecoder;
import io.netty.handler.codec.ProtocolDetectionState;
import io.netty.handler.codec.haproxy.HAProxyMessage;
import io.netty.handler.codec.haproxy.HAProxyMessageDecoder;
import io.netty.handler.codec.haproxy.HAProxyTLV;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.AttributeKey;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * A small HTTP backend for the demo: answers every request with its own id, region and country,
 * the client address and the routing reason it learned from edgeproxy's PROXY protocol v2 header
 * (when the app sends one), so a {@code curl} shows which backend answered and why.
 */
public final class DemoBackend implements AutoCloseable {
  private static final AttributeKey<HAProxyMessage> PROXY_HEADER = AttributeKey.valueOf("proxy-header");
  private static final byte ROUTE_TLV = (byte) 0xE0;

  private final String id;
  private final Channel channel;

  private DemoBackend(String id, Channel channel) {
    this.id = id;
    this.channel = channel;
  }

  /** Starts a backend on 127.0.0.1 (a free port) that introduces itself as {@code description}. */
  public static DemoBackend start(EventLoopGroup group, String id, String description) {
    Channel channel = new ServerBootstrap()
        .group(group)
        .channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<SocketChannel>() {
          @Override
          protected void initChannel(SocketChannel ch) {
            ch.pipeline().addLast(new OptionalProxyHeader(), new HttpServerCodec(),
                new HttpObjectAggregator(64 * 1024), new Responder(id, description));
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
    return new DemoBackend(id, channel);
  }

  public String id() {
    return id;
  }

  public int port() {
    return ((InetSocketAddress) channel.localAddress()).getPort();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
  }

  /** Decodes a PROXY header if the connection starts with one, then gets out of the way. */
  private static final class OptionalProxyHeader extends ByteToMessageDecoder {
    @Override
    protected void decode(ChannelHandlerContext ctx, ByteBuf in, List<Object> out) {
      ProtocolDetectionState state = HAProxyMessageDecoder.detectProtocol(in).state();
      if (state == ProtocolDetectionState.NEEDS_MORE_DATA) {
        return;
      }
      if (state == ProtocolDetectionState.DETECTED) {
        ctx.pipeline().addAfter(ctx.name(), "proxy-header", new HAProxyMessageDecoder());
        ctx.pipeline().addAfter("proxy-header", "proxy-header-keeper", new SimpleChannelInboundHandler<HAProxyMessage>() {
          @Override
          protected void channelRead0(ChannelHandlerContext c, HAProxyMessage msg) {
            c.channel().attr(PROXY_HEADER).set(msg.retain());
            c.pipeline().remove(this);
          }
        });
      }
      ctx.pipeline().remove(this);
    }
  }

  private static final class Responder extends SimpleChannelInboundHandler<FullHttpRequest> {
    private final String id;
    private final String description;

    Responder(String id, String description) {
      this.id = id;
      this.description = description;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
      StringBuilder body = new StringBuilder();
      body.append("hello from ").append(id).append(" (").append(description).append(")\n");
      HAProxyMessage header = ctx.channel().attr(PROXY_HEADER).get();
      if (header != null) {
        body.append("client:  ").append(header.sourceAddress()).append(':').append(header.sourcePort())
            .append(" (from edgeproxy's PROXY v2 header)\n");
        for (HAProxyTLV tlv : header.tlvs()) {
          if (tlv.typeByteValue() == ROUTE_TLV) {
            body.append("routing: ").append(tlv.content().toString(StandardCharsets.US_ASCII)).append('\n');
          }
        }
      } else if (request.headers().contains("forwarded")) {
        body.append("client:  ").append(request.headers().get("forwarded"))
            .append(" (from edgeproxy's Forwarded header, HTTP mode)\n");
      } else {
        body.append("client:  ").append(ctx.channel().remoteAddress()).append(" (direct, not through edgeproxy)\n");
      }
      FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK,
          Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
      response.headers().set(HttpHeaderNames.CONTENT_TYPE, "text/plain; charset=utf-8");
      response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, response.content().readableBytes());
      boolean keepAlive = HttpUtil.isKeepAlive(request);
      if (keepAlive) {
        response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        ctx.writeAndFlush(response);
      } else {
        ctx.writeAndFlush(response).addListener(ChannelFutureListener.CLOSE);
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      HAProxyMessage header = ctx.channel().attr(PROXY_HEADER).getAndSet(null);
      if (header != null) {
        header.release();
      }
      ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }
}
