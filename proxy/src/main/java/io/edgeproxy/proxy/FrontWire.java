package io.edgeproxy.proxy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.ChannelFuture;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpObject;
import java.net.InetSocketAddress;

/**
 * How an {@link HttpFrontHandler} talks to its client: an HTTP/1.x connection's pipeline
 * ({@link ChannelWire}), or one stream of an HTTP/2 connection ({@link Http2Front}), which takes
 * the same HTTP/1-style messages and writes them as frames. Loop thread only.
 */
interface FrontWire {
  ByteBufAllocator alloc();

  /** The thread the handler runs on. */
  EventLoop loop();

  /** The client's address (of the connection, for a stream). */
  InetSocketAddress client();

  /** False once the connection or the stream is gone. */
  boolean isOpen();

  /** True while the client takes response bytes as fast as they come (socket buffer, HTTP/2 flow-control window). */
  boolean isWritable();

  /** Reads the client (or stops): more of the request as the backend takes it. */
  void reading(boolean on);

  void write(HttpObject msg);

  /** Writes and sends; the future completes once written (or failed). */
  ChannelFuture writeAndFlush(HttpObject msg);

  void flush();

  /** Ends the exchange with this client: an HTTP/1.x connection closes; a stream still open is reset. */
  void close();
}
