package io.edgeproxy.proxy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpObject;
import java.net.InetSocketAddress;

/** A client connection's pipeline as a {@link FrontWire}: HTTP/1.x, behind its codec. */
record ChannelWire(ChannelHandlerContext ctx) implements FrontWire {
  @Override
  public ByteBufAllocator alloc() {
    return ctx.alloc();
  }

  @Override
  public EventLoop loop() {
    return (EventLoop) ctx.executor(); // the channel's, or (a shield stream) the proxy loop it was given
  }

  @Override
  public InetSocketAddress client() {
    return (InetSocketAddress) ctx.channel().remoteAddress();
  }

  @Override
  public boolean isOpen() {
    return ctx.channel().isActive();
  }

  @Override
  public boolean isWritable() {
    return ctx.channel().isWritable();
  }

  @Override
  public void reading(boolean on) {
    ctx.channel().config().setAutoRead(on);
  }

  @Override
  public void write(HttpObject msg) {
    ctx.write(msg, ctx.voidPromise());
  }

  @Override
  public ChannelFuture writeAndFlush(HttpObject msg) {
    return ctx.writeAndFlush(msg);
  }

  @Override
  public void flush() {
    ctx.flush();
  }

  @Override
  public void close() {
    ctx.close();
  }
}
