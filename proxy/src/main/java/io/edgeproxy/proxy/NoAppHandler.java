package io.edgeproxy.proxy;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A terminated connection for a name no app is served at: an HTTP/1.x client gets
 * {@code 421 Misdirected Request} (RFC 9110 section 15.5.20) with a short text body, anything
 * else (or a client silent for {@link #WAIT_MILLIS}) a clean close (TLS close_notify, then FIN).
 * Nothing reaches any backend.
 */
final class NoAppHandler extends ChannelInboundHandlerAdapter {
  static final long WAIT_MILLIS = 2_000;
  private static final int LOOK_AT = 64;
  private static final Pattern REQUEST_START = Pattern.compile("[A-Z]{3,10} \\S");

  private final @Nullable String serverName;
  private final ByteBuf seen = Unpooled.buffer(LOOK_AT, LOOK_AT);
  private @Nullable ScheduledFuture<?> wait;

  NoAppHandler(@Nullable String serverName) {
    this.serverName = serverName;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    wait = ctx.executor().schedule(() -> ctx.close(), WAIT_MILLIS, TimeUnit.MILLISECONDS);
    ctx.channel().config().setAutoRead(true);
  }

  @Override
  public void handlerRemoved(ChannelHandlerContext ctx) {
    if (wait != null) {
      wait.cancel(false);
    }
    seen.release();
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    try {
      if (msg instanceof ByteBuf buf && seen.isWritable()) {
        seen.writeBytes(buf, buf.readerIndex(), Math.min(buf.readableBytes(), seen.writableBytes()));
      }
    } finally {
      ReferenceCountUtil.release(msg);
    }
    if (seen.readableBytes() < 12 && seen.isWritable()) {
      return; // not enough to tell yet
    }
    String start = seen.toString(StandardCharsets.ISO_8859_1);
    if (REQUEST_START.matcher(start).lookingAt()) {
      ctx.channel().config().setAutoRead(false);
      ctx.writeAndFlush(misdirected()).addListener(ChannelFutureListener.CLOSE);
    } else {
      ctx.close();
    }
  }

  private ByteBuf misdirected() {
    String body = misdirected(serverName == null ? "this address without a server name (SNI)" : serverName);
    String response = "HTTP/1.1 421 Misdirected Request\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Length: "
        + body.getBytes(StandardCharsets.UTF_8).length + "\r\nConnection: close\r\n\r\n" + body;
    return Unpooled.copiedBuffer(response, StandardCharsets.UTF_8);
  }

  /** The text of a 421, on either listener: {@code where} names what the client asked for. */
  static String misdirected(String where) {
    return "421 Misdirected Request: " + noAppAt(where) + "\n";
  }

  /** Why a request is misdirected: {@code where} names what the client asked for. */
  static String noAppAt(String where) {
    return "no app is served at " + where + " here";
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
    if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent) {
      ctx.close(); // nothing more will come
      return;
    }
    ctx.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    if (wait != null) {
      wait.cancel(false);
    }
    ctx.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    ctx.close();
  }
}
