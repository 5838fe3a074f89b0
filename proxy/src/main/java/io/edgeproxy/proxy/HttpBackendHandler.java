package io.edgeproxy.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.util.ReferenceCountUtil;
import java.net.InetSocketAddress;
import org.jspecify.annotations.Nullable;

/**
 * The last handler of a backend connection of an app in HTTP mode, behind an
 * {@link HttpClientCodec}: hands the response of the exchange in progress to it, and tells it when
 * the backend goes away or can take more bytes. A connection with no exchange sits in its loop's
 * {@link HttpBackendPool}; anything it receives then is a protocol error and closes it.
 */
final class HttpBackendHandler extends ChannelInboundHandlerAdapter {
  static final String CODEC = "http-codec";
  static final String NAME = "exchange";
  static final int MAX_RESPONSE_LINE = 8 * 1024;
  static final int MAX_RESPONSE_HEADERS = 32 * 1024;

  private final HttpBackendPool pool;
  private final @Nullable InetSocketAddress address; // null: a tunnel stream, never pooled
  private @Nullable HttpExchange exchange;

  /** The handler of an HTTP backend connection. */
  static HttpBackendHandler of(Channel channel) {
    return (HttpBackendHandler) channel.pipeline().get(NAME);
  }

  HttpBackendHandler(HttpBackendPool pool, @Nullable InetSocketAddress address) {
    this.pool = pool;
    this.address = address;
  }

  /** A codec for one backend connection: bounded status line and headers. */
  static HttpClientCodec codec() {
    return new HttpClientCodec(MAX_RESPONSE_LINE, MAX_RESPONSE_HEADERS, 64 * 1024);
  }

  void attach(@Nullable HttpExchange value) {
    this.exchange = value;
  }

  /** The exchange ended; {@code channel} goes back to the pool (reusable) or is closed. */
  void detach(io.netty.channel.Channel channel, boolean reusable, long nowNanos) {
    this.exchange = null;
    if (reusable && address != null) {
      pool.give(address, channel, nowNanos);
    } else {
      channel.close();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    HttpExchange current = exchange;
    if (current == null) {
      ReferenceCountUtil.release(msg);
      ctx.close(); // a response nobody asked for
      return;
    }
    if (msg instanceof HttpResponse response) {
      current.backendResponse(response);
    }
    if (msg instanceof HttpContent content) {
      current.backendContent(content);
    } else if (!(msg instanceof HttpResponse)) {
      ReferenceCountUtil.release(msg);
    }
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext ctx) {
    HttpExchange current = exchange;
    if (current != null) {
      current.flushClient();
    }
    ctx.fireChannelReadComplete();
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext ctx) {
    HttpExchange current = exchange;
    if (current != null) {
      current.backendWritable(ctx.channel().isWritable());
    }
    ctx.fireChannelWritabilityChanged();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
      ctx.close(); // the backend is done with this connection (a response read to its end came first)
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    HttpExchange current = exchange;
    exchange = null;
    if (current != null) {
      current.backendClosed(null);
    } else if (address != null) {
      pool.closed(address, ctx.channel());
    }
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    HttpExchange current = exchange;
    exchange = null;
    if (current != null) {
      current.backendClosed(cause);
    }
    ctx.close();
  }
}
