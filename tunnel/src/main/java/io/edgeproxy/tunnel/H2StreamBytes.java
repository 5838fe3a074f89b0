package io.edgeproxy.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPromise;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.util.ReferenceCountUtil;

/**
 * Makes one HTTP/2 stream of a TCP fallback tunnel a plain byte stream, as a QUIC stream is: DATA
 * frames in and out as {@code ByteBuf}s, END_STREAM as the FIN (a {@link ChannelInputShutdownEvent}
 * in, {@link HalfClose#FIN} out), a reset as a close. Each side sends its HEADERS as the stream
 * becomes active (the POP, which opens streams, a request; the agent its answer), so a stream
 * exists at the other end before either has a byte to send. Flow control is HTTP/2's: a child
 * channel returns window as it reads, so a paused reader holds its sender back.
 */
final class H2StreamBytes extends ChannelDuplexHandler {
  private final boolean opener;
  private boolean headersSent;
  private boolean inputShut;

  /** @param opener true on the side that opened the stream (the POP) */
  H2StreamBytes(boolean opener) {
    this.opener = opener;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext ctx) {
    if (ctx.channel().isActive()) {
      sendHeaders(ctx);
    }
  }

  @Override
  public void channelActive(ChannelHandlerContext ctx) {
    sendHeaders(ctx);
    ctx.fireChannelActive();
  }

  private void sendHeaders(ChannelHandlerContext ctx) {
    if (headersSent) {
      return;
    }
    headersSent = true;
    DefaultHttp2Headers headers = new DefaultHttp2Headers();
    if (opener) {
      headers.method("POST").scheme("https").path("/").authority(TunnelWire.ALPN);
    } else {
      headers.status("200");
    }
    ctx.writeAndFlush(new DefaultHttp2HeadersFrame(headers, false));
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    if (msg instanceof Http2DataFrame data) {
      boolean end = data.isEndStream();
      ByteBuf content = data.content();
      if (content.isReadable()) {
        ctx.fireChannelRead(content.retain());
      }
      data.release();
      if (end) {
        inputEnded(ctx);
      }
    } else if (msg instanceof Http2HeadersFrame headers) {
      if (headers.isEndStream()) {
        inputEnded(ctx);
      }
    } else if (msg instanceof Http2ResetFrame) {
      ctx.close();
    } else {
      ReferenceCountUtil.release(msg);
    }
  }

  private void inputEnded(ChannelHandlerContext ctx) {
    if (!inputShut) {
      inputShut = true;
      ctx.fireUserEventTriggered(ChannelInputShutdownEvent.INSTANCE);
    }
  }

  @Override
  public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
    if (msg == HalfClose.FIN) {
      if (Boolean.TRUE.equals(ctx.channel().attr(HalfClose.OUTPUT_SHUT).getAndSet(true))) {
        promise.setSuccess();
        return;
      }
      sendHeaders(ctx);
      ctx.write(new DefaultHttp2DataFrame(Unpooled.EMPTY_BUFFER, true), promise);
    } else if (msg instanceof ByteBuf bytes) {
      if (Boolean.TRUE.equals(ctx.channel().attr(HalfClose.OUTPUT_SHUT).get())) {
        bytes.release(); // after END_STREAM: HTTP/2 would merge it into the last frame and lose the end
        promise.setFailure(new java.nio.channels.ClosedChannelException());
        return;
      }
      sendHeaders(ctx);
      ctx.write(new DefaultHttp2DataFrame(bytes, false), promise);
    } else {
      ctx.write(msg, promise);
    }
  }
}
