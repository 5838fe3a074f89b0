package io.edgeproxy.proxy;

import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.ReadTimeoutHandler;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The pipeline of a client of the plain HTTP listener: a read timeout (the hello timeout: a client
 * silent that long, in a request or between two, is closed), the HTTP/1.1 decoder with bounded
 * request line and headers, then {@link PlainHttpHandler}. Tracked by its loop for the drain.
 */
final class PlainHttpInitializer extends ChannelInitializer<SocketChannel> {
  private static final int MAX_REQUEST_LINE = 8 * 1024;
  private static final int MAX_HEADERS = 16 * 1024;

  private final EdgeListener edge;
  private final Map<EventLoop, ProxyLoop> loops;
  private final int httpsPort;

  PlainHttpInitializer(EdgeListener edge, Map<EventLoop, ProxyLoop> loops, int httpsPort) {
    this.edge = edge;
    this.loops = loops;
    this.httpsPort = httpsPort;
  }

  @Override
  protected void initChannel(SocketChannel ch) {
    ProxyConnection.tracked(loops, ch);
    ch.pipeline()
        .addLast(new ReadTimeoutHandler(edge.config().helloTimeout().toMillis(), TimeUnit.MILLISECONDS))
        .addLast(new HttpServerCodec(MAX_REQUEST_LINE, MAX_HEADERS, 8192))
        .addLast(new PlainHttpHandler(edge, httpsPort));
  }
}
