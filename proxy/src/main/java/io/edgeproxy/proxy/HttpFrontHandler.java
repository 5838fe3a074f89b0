package io.edgeproxy.proxy;

import io.edgeproxy.core.routing.BackendLoad;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.ChannelInputShutdownEvent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import io.edgeproxy.cache.HttpCache;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client side of HTTP mode: one per HTTP/1.1 connection, or per HTTP/2 stream. Each request's
 * Host decides its {@link HttpSite.Target}: proxied by an {@link HttpExchange}, redirected, or
 * answered 421; a request the decoder refused (request smuggling shapes, oversized heads, bad
 * syntax) gets 400 and reaches no backend. HTTP/1.1 requests are served one at a time in order
 * (a pipelined request waits, and the client is not read meanwhile); a request head must arrive
 * within the hello timeout. A WebSocket (any HTTP/1.1 Upgrade) the backend accepts with 101 turns
 * the connection into a byte relay.
 */
final class HttpFrontHandler extends ChannelInboundHandlerAdapter implements ExchangeClient {
  private static final Logger logger = LoggerFactory.getLogger(HttpFrontHandler.class);
  static final String CODEC = "http-codec";
  static final String CONTINUE = "http-continue";
  static final String ACME_CHALLENGE = "/.well-known/acme-challenge/";

  private final HttpSite site;
  private final ProxyConnection connection;
  private final @Nullable SslHandler tls;
  private final boolean http2;
  private final ArrayDeque<Object> queued = new ArrayDeque<>(2);
  /** The HTTP/1.x connection's context (an upgrade takes the pipeline over); null on an HTTP/2 stream. */
  private @Nullable ChannelHandlerContext ctx;
  private @Nullable FrontWire wire;
  private @Nullable HttpExchange current;
  private @Nullable ForwardedRequest waiting;
  /** A stored body is being sent from its file. */
  private boolean streaming;
  private final HeadDeadline headDeadline;
  private @Nullable ChannelFuture lastWrite;
  private boolean keepAliveWanted;
  private boolean http10;
  private boolean inputShut;
  private boolean closing;

  /**
   * @param tls the client's {@code SslHandler} on an HTTP/1.x connection over TLS (the relay of an
   *     upgraded connection ends TLS cleanly with it), else null
   * @param http2 true on an HTTP/2 stream ({@link Http2Front} gives it its wire, {@link #attach})
   */
  HttpFrontHandler(HttpSite site, ProxyConnection connection, @Nullable SslHandler tls, boolean http2) {
    this.site = site;
    this.connection = connection;
    this.tls = tls;
    this.http2 = http2;
    this.headDeadline = new HeadDeadline(site, this::headLate);
  }

  @Override
  public boolean isHttp2() {
    return http2;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext context) {
    ctx = context;
    attach(new ChannelWire(context));
  }

  /** Starts serving the client behind {@code value}. */
  void attach(FrontWire value) {
    wire = value;
    value.reading(true);
    awaitHead();
  }

  /** HTTP/1.x: the next request's head must come within the hello timeout ({@link HeadDeadline}). */
  private void awaitHead() {
    if (!http2) {
      headDeadline.await(loop());
    }
  }

  /** The thread this handler runs on. */
  private EventLoop loop() {
    return wire.loop();
  }

  /** No request head came in time: closed, unless a response is on its way. */
  private void headLate() {
    if (current == null && wire.isOpen()) {
      logger.debug("{}: no request head within {} ms; closed", wire.client(), site.edge().config().helloTimeout().toMillis());
      wire.close();
    }
  }

  @Override
  public void channelRead(ChannelHandlerContext context, Object msg) {
    read(msg);
  }

  /** A part of the client's request (a head, body, or its end). */
  void read(Object msg) {
    connection.touch();
    if (closing) {
      ReferenceCountUtil.release(msg);
      return;
    }
    HttpExchange exchange = current;
    if (exchange != null && !exchange.requestComplete() && msg instanceof HttpContent part && !(msg instanceof HttpRequest)) {
      exchange.requestPart(part);
      return;
    }
    if (exchange != null || waiting != null || streaming || !queued.isEmpty()) {
      queued.add(msg); // a pipelined request (or the rest of a waiting one): served when this one is done
      wire.reading(false);
      return;
    }
    begin(msg);
  }

  private void begin(Object msg) {
    if (!(msg instanceof HttpRequest request)) {
      ReferenceCountUtil.release(msg); // the rest of a request already answered
      return;
    }
    headDeadline.arrived();
    InetSocketAddress from = site.shield() ? HttpForwarding.clientOfShieldRequest(request) : wire.client();
    HttpRequestLog log = new HttpRequestLog(from.getAddress().getHostAddress(), String.valueOf(request.headers().get("host", "")),
        request.method().name(), HttpHosts.pathOf(request.uri()), http2 ? "HTTP/2" : request.protocolVersion().text());
    RequestTriage.Outcome outcome = RequestTriage.of(site, msg, request, from, log, http2);
    if (!(outcome instanceof RequestTriage.Outcome.Proxy proxy)) {
      ReferenceCountUtil.release(msg);
    }
    switch (outcome) {
      case RequestTriage.Outcome.Answer a -> answerAlone(log, a.status(), a.detail(), a.location(), a.close());
      case RequestTriage.Outcome.Challenge c -> answerChallenge(log, c.token(), c.close());
      case RequestTriage.Outcome.Unauthorized u -> {
        site.observer().completed(log.status(401).outcome("edge auth").build());
        send(HttpResponses.unauthorized(wire.alloc(), u.app(), u.refusal()), u.close());
      }
      case RequestTriage.Outcome.Proxy p -> {
        ForwardedRequest f = p.request();
        keepAliveWanted = p.keepAlive();
        http10 = request.protocolVersion().equals(HttpVersion.HTTP_1_0);
        HttpCache cache = site.cache();
        if (f.upgrade() == null && cache != null && site.caches(f.app())) {
          throughCache(f, cache, true);
        } else {
          forward(this, f, f.toBackend(), false);
        }
      }
    }
  }

  /**
   * Starts the exchange of {@code f} (sending {@code toBackend}) with {@code client} as the
   * response's way back; {@code shielded}: asking the key's regional shield first.
   */
  private void forward(ExchangeClient client, ForwardedRequest f, HttpRequest toBackend, boolean shielded) {
    HttpExchange exchange = new HttpExchange(client, site, site.loopOf(loop()), f.app(), toBackend,
        f.log(), f.from(), f.hasBody(), f.upgrade());
    if (shielded) {
      exchange.askShieldFirst(site.shieldOf(f.key()));
    }
    current = exchange;
    wire.reading(false); // until a backend is attached
    Object msg = f.msg();
    if (msg instanceof LastHttpContent) {
      ReferenceCountUtil.release(msg);
      exchange.requestPart(LastHttpContent.EMPTY_LAST_CONTENT);
    } else if (msg instanceof HttpContent part) {
      exchange.requestPart(part);
    } else {
      ReferenceCountUtil.release(msg); // the head alone: nothing of it is content
    }
    exchange.start();
    drain(); // the rest of this request, read while it waited
  }

  /**
   * An app whose responses are cached: answered from the cache, or through it; or, when the same
   * request is already at the origin ({@code collapse}), after that one lands.
   */
  private void throughCache(ForwardedRequest f, HttpCache cache, boolean collapse) {
    EventLoop eventLoop = loop();
    switch (HttpCaching.plan(this, cache, f.key(), f.request(), f::toBackend, collapse,
        landing -> eventLoop.execute(() -> landed(f, cache)))) {
      case HttpCaching.Plan.Answer a -> {
        answered(f, a.refresh(), a.response().status().code());
        reply(a.response(), true);
      }
      case HttpCaching.Plan.Stream s -> stream(f, cache, s);
      case HttpCaching.Plan.Forward fw -> forward(fw.client(), f, fw.request(), fw.shielded());
      case HttpCaching.Plan.Wait w -> {
        waiting = f;
        wire.reading(false);
        // However long the leader takes, this request goes on by itself after the wait bound.
        eventLoop.schedule(() -> landed(f, cache), HttpCache.MAX_WAIT_NANOS, java.util.concurrent.TimeUnit.NANOSECONDS);
      }
    }
  }

  /**
   * Answers from the disk tier ({@link FileResponse}). A file that cannot be opened sends the
   * request to the origin (not stored); one removed by hand is forgotten.
   */
  private void stream(ForwardedRequest f, HttpCache cache, HttpCaching.Plan.Stream s) {
    Object opened = FileResponse.open(s.body());
    if (!(opened instanceof java.nio.channels.FileChannel file)) {
      if (s.refresh() != null) { // it holds the key's flight: it must run, or requests for the key would wait for it
        s.refresh().start(site, site.loopOf(loop()), f);
      }
      if (opened instanceof java.nio.file.NoSuchFileException) {
        cache.lost(f.key(), s.body()); // forgotten: looked up again, a miss
        throughCache(f, cache, false);
      } else { // cannot be read now (too many open files): the origin's answer, marked as not from the cache
        forward(new CacheFill(this, cache, f.key(), f.request().headers(), CacheFill.Mode.BYPASS, null, null,
            f.request().method().equals(io.netty.handler.codec.http.HttpMethod.HEAD), "bypass"), f, f.toBackend(), false);
      }
      return;
    }
    answered(f, s.refresh(), s.head().status().code());
    boolean close = connectionField(s.head().headers(), !keepAliveWanted);
    streaming = true;
    wire.reading(false);
    FileResponse.send(wire, s, file, cache, f.key(), connection::touch, whole -> {
      streaming = false;
      if (!whole || close || http2 || inputShut) {
        closing = !http2;
        wire.close();
      } else {
        next();
      }
    });
  }

  /** {@code f} is answered from the cache with {@code status}: logged, and its background refresh started. */
  private void answered(ForwardedRequest f, HttpCaching.@Nullable Refresh refresh, int status) {
    ReferenceCountUtil.release(f.msg());
    if (refresh != null) {
      refresh.start(site, site.loopOf(loop()), f);
    }
    site.observer().completed(f.log().status(status).outcome("cache").build());
  }

  /** The request {@code f} waited for has landed: look again, without waiting a second time. */
  private void landed(ForwardedRequest f, HttpCache cache) {
    if (waiting != f) {
      return;
    }
    waiting = null;
    if (closing || !wire.isOpen()) {
      ReferenceCountUtil.release(f.msg());
      return;
    }
    throughCache(f, cache, false);
  }

  /** True when this HTTP/1.x connection closes after the response in progress (the client asked, or finished sending). */
  @Override
  public boolean closesAfterResponse() {
    return !http2 && (!keepAliveWanted || inputShut);
  }

  /** Reads the client (or stops): the backend can take more of the request body, or cannot. */
  @Override
  public void reading(boolean on) {
    if (!closing) {
      wire.reading(on);
    }
  }

  /**
   * Writes part of a response, flushed at its end, when the client cannot take more, or when the
   * backend's read is complete ({@link #flush}); true while the client can take more.
   */
  @Override
  public boolean respond(HttpObject msg, boolean last) {
    connection.touch();
    if (http10 && keepAliveWanted && msg instanceof HttpResponse head) {
      head.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE); // HTTP/1.0 keeps only when told
    }
    if (last) {
      lastWrite = wire.writeAndFlush(msg);
      return wire.isWritable();
    }
    wire.write(msg);
    if (!wire.isWritable()) {
      wire.flush();
    }
    return wire.isWritable();
  }

  /** Sends what the backend's last read produced. */
  @Override
  public void flush() {
    wire.flush();
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext context) {
    readComplete();
    context.fireChannelReadComplete();
  }

  /** The client's last read is handled: what it produced for the backend goes out. */
  void readComplete() {
    HttpExchange exchange = current;
    if (exchange != null) {
      exchange.flushBackend();
    }
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext context) {
    writable(context.channel().isWritable());
    context.fireChannelWritabilityChanged();
  }

  /** The client can take more response bytes, or cannot. */
  void writable(boolean on) {
    HttpExchange exchange = current;
    if (exchange != null) {
      exchange.clientWritable(on);
    }
  }

  /**
   * The exchange's response is complete. An HTTP/2 stream closes (reset if the client is still
   * sending); an HTTP/1.x connection serves its next request, unless it must close.
   */
  @Override
  public void finished(boolean requestComplete) {
    current = null;
    ChannelFuture written = lastWrite;
    lastWrite = null;
    if (http2 || !requestComplete || !keepAliveWanted || inputShut) {
      closing = !http2;
      if (written != null) {
        written.addListener(f -> wire.close());
      } else {
        wire.close();
      }
      return;
    }
    next();
  }

  /** HTTP/1.x after a response: the next request (one may already wait), reading again. */
  private void next() {
    awaitHead();
    drain();
  }

  /** Serves what was read meanwhile: the rest of the current request, or the next one; then reads again. */
  private void drain() {
    while (!closing && waiting == null && !streaming && !queued.isEmpty()) {
      HttpExchange exchange = current;
      Object msg = queued.peek();
      if (exchange == null) {
        begin(queued.poll());
      } else if (!exchange.requestComplete() && msg instanceof HttpContent part && !(msg instanceof HttpRequest)) {
        queued.poll();
        exchange.requestPart(part); // the rest of the request just begun, read with it
      } else {
        break; // the next request waits for this one's response
      }
    }
    if (current == null && waiting == null && !streaming && !closing) {
      wire.reading(true);
    }
  }

  /** The exchange answers for the backend (502, 503, 504). */
  @Override
  public void answer(HttpResponseStatus status, String detail, boolean requestComplete) {
    reply(edgeMade(HttpResponses.text(wire.alloc(), status, detail, null)), requestComplete);
  }

  /** A response the edge made itself, not the origin's: a shield marks it, and the asking POP goes to the origin. */
  private FullHttpResponse edgeMade(FullHttpResponse response) {
    if (site.shield()) {
      response.headers().set(CacheShields.ERROR_FIELD, response.status().code());
    }
    return response;
  }

  @Override
  public void reply(FullHttpResponse response, boolean requestComplete) {
    current = null;
    send(response, !requestComplete || !keepAliveWanted);
  }

  /** An ACME HTTP-01 request: the key authorization replicated for {@code token}, or 404 (RFC 8555 section 8.3). */
  private void answerChallenge(HttpRequestLog log, String token, boolean close) {
    String answer = site.edge().proxy().state().current().data().edge().challenges().get(token);
    if (answer == null) {
      answerAlone(log, HttpResponseStatus.NOT_FOUND, "no ACME challenge " + token + " is pending here", null, close);
      return;
    }
    site.observer().completed(log.status(200).outcome("acme challenge").build());
    send(HttpResponses.exactly(wire.alloc(), answer), close);
  }

  private void answerAlone(HttpRequestLog log, HttpResponseStatus status, String detail, @Nullable String location, boolean close) {
    site.observer().completed(log.status(status.code()).outcome(status.code() < 400 ? "redirect" : detail).build());
    send(edgeMade(HttpResponses.text(wire.alloc(), status, detail, location)), close);
  }

  /**
   * Sends a response the edge made itself. Then an HTTP/1.x connection closes ({@code close}, or the
   * client finished sending) or serves its next request; an HTTP/2 stream ends (reset if the client
   * is still sending).
   */
  private void send(FullHttpResponse response, boolean close) {
    boolean closeNow = connectionField(response.headers(), close);
    var written = wire.writeAndFlush(response);
    if (closeNow || http2) {
      closing = closeNow;
      written.addListener(f -> wire.close());
    } else {
      next();
    }
  }

  /**
   * Sets {@code Connection} on a response the edge sends itself: close when the HTTP/1.x connection
   * closes after it ({@code close}, or the client finished sending), which this returns; keep-alive
   * for an HTTP/1.0 client that asked for it (it keeps only when told).
   */
  private boolean connectionField(io.netty.handler.codec.http.HttpHeaders fields, boolean close) {
    boolean closeNow = !http2 && (close || inputShut);
    if (closeNow) {
      fields.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
    } else if (http10 && keepAliveWanted) {
      fields.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
    }
    return closeNow;
  }

  /** The response broke off: the client must not take a partial response for a whole one. */
  @Override
  public void abort() {
    current = null;
    closing = true;
    wire.close();
  }

  /** The backend accepted an upgrade: see {@link UpgradedRelay}. */
  @Override
  public void upgraded(HttpResponse switching, Channel backend, BackendLoad load) {
    current = null;
    UpgradedRelay.start(ctx, this, switching, backend, load, connection, tls, queued); // HTTP/1.1 only: ctx is there
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext context, Object evt) {
    if (evt instanceof ChannelInputShutdownEvent) {
      inputShut = true;
      if (current == null && waiting == null && !streaming && queued.isEmpty()) {
        wire.close();
      }
      return;
    }
    context.fireUserEventTriggered(evt);
  }

  @Override
  public void channelInactive(ChannelHandlerContext context) {
    inactive();
    context.fireChannelInactive();
  }

  /** The client went away (the connection closed, or the stream ended or was reset). */
  void inactive() {
    headDeadline.arrived();
    if (waiting != null) {
      ReferenceCountUtil.release(waiting.msg());
      waiting = null;
    }
    HttpExchange exchange = current;
    current = null;
    if (exchange != null) {
      exchange.clientGone();
    }
    queued.forEach(ReferenceCountUtil::release);
    queued.clear();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
    logger.debug("{}: {}", context.channel().remoteAddress(), cause.toString());
    context.close();
  }
}
