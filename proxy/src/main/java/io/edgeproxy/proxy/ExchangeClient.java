package io.edgeproxy.proxy;

import io.edgeproxy.core.routing.BackendLoad;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;

/**
 * Where an {@link HttpExchange} sends its response: the client's {@link HttpFrontHandler}, the
 * cache filling on the way to it ({@link CacheFill}), or nobody (a background revalidation,
 * {@link CacheFill#headless}). Loop thread only.
 */
interface ExchangeClient {
  /** Reads the client (or stops): the backend can take more of the request body, or cannot. */
  void reading(boolean on);

  /** Writes part of a response; true while the client can take more. */
  boolean respond(HttpObject msg, boolean last);

  /** Sends what the backend's last read produced. */
  void flush();

  boolean isHttp2();

  /** True when this HTTP/1.x connection closes after the response in progress. */
  boolean closesAfterResponse();

  /** The response is complete. */
  void finished(boolean requestComplete);

  /** The edge answers for the backend (502, 503, 504). */
  void answer(HttpResponseStatus status, String detail, boolean requestComplete);

  /** Sends a whole response made here instead of the backend's (a stored one), then as {@link #finished}. */
  void reply(FullHttpResponse response, boolean requestComplete);

  /** The response broke off. */
  void abort();

  /** The backend accepted an upgrade. */
  void upgraded(HttpResponse switching, Channel backend, BackendLoad load);

  /** The exchange is over, however it ended (called once, after any of the above). */
  default void ended() {}

  /**
   * The client went away while the response was being relayed: true when the exchange should go on
   * to the end without it (the response is being stored, and others may be waiting for it).
   */
  default boolean goesOnWithoutClient() {
    return false;
  }
}
