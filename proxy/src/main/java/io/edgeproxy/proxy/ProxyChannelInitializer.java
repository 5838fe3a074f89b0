package io.edgeproxy.proxy;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import java.util.Map;

/** The pipeline of an accepted client: just the frontend handler, tracked by its loop. */
final class ProxyChannelInitializer extends ChannelInitializer<SocketChannel> {
  private final ProxyListener listener;
  private final Map<EventLoop, ProxyLoop> loops;

  ProxyChannelInitializer(ProxyListener listener, Map<EventLoop, ProxyLoop> loops) {
    this.listener = listener;
    this.loops = loops;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    // Not a childOption: with epoll, AUTO_READ=false set through the bootstrap could leave the fd
    // unregistered when the client half-closes before we read. Nothing is read until the backend
    // is connected.
    ch.config().setAutoRead(false);
    listener.stats().accepted();
    ProxyConnection connection = ProxyConnection.tracked(loops, ch);
    ch.pipeline().addLast(new ProxyFrontendHandler(listener, connection));
  }
}
