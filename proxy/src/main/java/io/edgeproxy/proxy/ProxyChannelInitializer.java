package io.edgeproxy.proxy;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.timeout.IdleStateHandler;
import java.util.concurrent.TimeUnit;

/** The pipeline of an accepted client: idle timeout (if any), then the frontend handler. */
final class ProxyChannelInitializer extends ChannelInitializer<SocketChannel> {
  private final ProxyListener listener;
  private final ChannelGroup clients;

  ProxyChannelInitializer(ProxyListener listener, ChannelGroup clients) {
    this.listener = listener;
    this.clients = clients;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    // Not a childOption: with epoll, AUTO_READ=false set through the bootstrap can leave the fd
    // unregistered when the client half-closes before we read (epoll_ctl ENOENT on the first read).
    ch.config().setAutoRead(false);
    clients.add(ch);
    listener.stats().accepted();
    long idleMillis = listener.idleTimeout().toMillis();
    if (idleMillis > 0) {
      ch.pipeline().addLast(new IdleStateHandler(0, 0, idleMillis, TimeUnit.MILLISECONDS));
    }
    ch.pipeline().addLast(new ProxyFrontendHandler(listener));
  }
}
