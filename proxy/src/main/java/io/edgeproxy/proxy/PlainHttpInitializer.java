package io.edgeproxy.proxy;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;

/**
 * The pipeline of a client of the plain HTTP listener: HTTP/1.1 ({@link HttpMode}), each request
 * routed by its Host ({@link HttpSite#target}): redirected to HTTPS, served for an app in HTTP mode
 * with {@code http_redirect = 0}, or 421. Tracked by its loop for idle sweeps and the drain.
 */
final class PlainHttpInitializer extends ChannelInitializer<SocketChannel> {
  private final HttpSite site;

  PlainHttpInitializer(HttpSite site) {
    this.site = site;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ProxyConnection connection = ProxyConnection.tracked(site.loops(), ch);
    HttpMode.install(ch.pipeline(), site, connection, null);
  }
}
