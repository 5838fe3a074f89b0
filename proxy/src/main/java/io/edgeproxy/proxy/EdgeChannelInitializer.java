package io.edgeproxy.proxy;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import java.util.Map;

/** The pipeline of a client of the HTTPS edge: {@link EdgeHelloHandler} first, tracked by its loop like any proxied client. */
final class EdgeChannelInitializer extends ChannelInitializer<SocketChannel> {
  private final EdgeListener edge;
  private final Map<EventLoop, ProxyLoop> loops;

  EdgeChannelInitializer(EdgeListener edge, Map<EventLoop, ProxyLoop> loops) {
    this.edge = edge;
    this.loops = loops;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    edge.stats().accepted();
    ProxyConnection connection = ProxyConnection.tracked(loops, ch);
    ch.pipeline().addLast("hello", new EdgeHelloHandler(edge, connection));
  }
}
