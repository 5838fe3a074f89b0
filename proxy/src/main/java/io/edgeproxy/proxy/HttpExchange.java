package io.edgeproxy.proxy;

import io.edgeproxy.core.routing.RouteDecision;
import io.edgeproxy.core.routing.Router;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request of an app in HTTP mode, from its head to the end of its response. Picks a backend
 * with the router (a request in flight holds a slot, so soft and hard limits count requests), takes
 * an idle pooled connection to it or connects, sends the request (body streamed, with backpressure
 * both ways) and relays the response. A connect that fails is retried on another backend (nothing
 * was sent); a pooled connection the backend had closed is retried once on a new connection when
 * the request is idempotent and has no body. When no backend can answer, the client gets 502, 503
 * or 504 with a body saying why. Loop thread only.
 */
final class HttpExchange implements LoopDeadlines.Watched {
  private static final Logger logger = LoggerFactory.getLogger(HttpExchange.class);

  private final ExchangeClient front;
  private final HttpSite site;
  private final ProxyLoop loop;
  private final Router router;
  private final String app;
  private final HttpRequest head;
  private final HttpRequestLog log;
  private final InetAddress client;
  private final boolean hasBody;
  private final boolean headRequest;
  private final boolean retryableOnStale;
  private final @Nullable String upgrade;
  private final List<String> tried = new ArrayList<>(2);
  private final ArrayDeque<HttpContent> held = new ArrayDeque<>(2);
  private final long startNanos = System.nanoTime();
  private RouteDecision.@Nullable Reserved reserved;
  /** The POP asked first, as the key's regional shield; null once asked (or never). */
  private @Nullable String shield;
  /** The shield POP this exchange's request went to, or null (the origin). */
  private @Nullable String viaShield;
  private @Nullable Channel backend;
  private boolean reused;
  private boolean staleRetried;
  private boolean requestComplete;
  private boolean responseStarted;
  private boolean skippingInformational;
  private boolean backendKeepAlive;
  private boolean done;
  private long responseDeadline;
  private boolean watched;

  HttpExchange(ExchangeClient front, HttpSite site, ProxyLoop loop, String app, HttpRequest head,
      HttpRequestLog log, InetAddress client, boolean hasBody, @Nullable String upgrade) {
    this.front = front;
    this.site = site;
    this.loop = loop;
    this.router = site.edge().proxy().router();
    this.app = app;
    this.head = head;
    this.log = log;
    this.client = client;
    this.hasBody = hasBody;
    this.upgrade = upgrade;
    this.headRequest = head.method().equals(HttpMethod.HEAD);
    this.retryableOnStale = !hasBody && HttpForwarding.isIdempotent(head);
  }

  boolean requestComplete() {
    return requestComplete;
  }

  void start() {
    attempt();
  }

  /** Asks {@code pop}'s cache (the key's regional shield) first; when it cannot be reached, the origin. */
  void askShieldFirst(@Nullable String pop) {
    shield = pop;
    if (pop != null) {
      head.headers().set(CacheShields.APP_FIELD, app);
    }
  }

  private void attempt() {
    String pop = shield;
    if (pop != null) {
      shield = null; // asked once
      ClientLoop.whenDone(site.edge().shields().open(pop), loop.eventLoop(), site.edge().proxy().config().connectTimeout(),
          (stream, cause) -> shieldConnected(pop, stream, cause));
      return;
    }
    RouteDecision decision = router.route(app, client, tried);
    if (!(decision instanceof RouteDecision.Reserved picked)) {
      if (tried.isEmpty()) {
        site.edge().proxy().stats().refused();
        fail(HttpResponseStatus.SERVICE_UNAVAILABLE, ((RouteDecision.Refused) decision).reason().why(), "no backend");
      } else {
        noneConnected();
      }
      return;
    }
    reserved = picked;
    site.edge().proxy().stats().picked(picked.tier());
    if (picked.backend().isTunnel()) {
      ClientLoop.whenDone(site.edge().proxy().tunnels().open(picked.backend()), loop.eventLoop(),
          site.edge().proxy().config().connectTimeout(),
          (stream, cause) -> connected(picked, null, stream, cause));
      return;
    }
    InetSocketAddress address = picked.backend().socketAddress();
    Channel pooled = staleRetried ? null : loop.httpPool().take(address, System.nanoTime());
    if (pooled != null) {
      attach(pooled, true);
      return;
    }
    loop.backendBootstrap().connect(address).addListener((ChannelFutureListener) f ->
        connected(picked, address, f.isSuccess() ? f.channel() : null, f.cause()));
  }

  /**
   * A connection to {@code picked} (or a stream through its tunnel) is ready ({@code channel}) or
   * failed ({@code cause}). {@code address}: where it was made, for the pool; null for a tunnel
   * stream, which is never pooled.
   */
  private void connected(RouteDecision.Reserved picked, @Nullable InetSocketAddress address, @Nullable Channel channel,
      @Nullable Throwable cause) {
    if (done) {
      picked.lease().release();
      if (channel != null) {
        channel.close();
      }
      return;
    }
    if (channel == null) {
      site.edge().proxy().stats().connectFailed();
      if (ClientLoop.notHeldAgainst(cause)) {
        router.atCapacity(app, client, picked); // a busy tunnel (or one just lost): no ejection
      } else {
        router.connectFailed(app, client, picked);
      }
      next(picked, "connect to " + picked.backend().id() + " (" + (address == null ? "tunnel" : address) + ") failed: " + cause);
      return;
    }
    router.connected(picked);
    attachNew(channel, address);
  }

  /**
   * A new connection, or a stream (a tunnel's, a shield's) that may live on another loop, carries
   * the request from now on; {@code address}: where it goes, for the pool (null for a stream).
   */
  private void attachNew(Channel channel, @Nullable InetSocketAddress address) {
    ClientLoop.addLast(channel, loop.eventLoop(), HttpBackendHandler.CODEC, HttpBackendHandler.codec());
    ClientLoop.addLast(channel, loop.eventLoop(), HttpBackendHandler.NAME, new HttpBackendHandler(loop.httpPool(), address));
    channel.config().setAutoRead(true);
    attach(channel, false);
    if (!channel.isActive()) {
      backendClosed(null); // it closed before the handler that would have said so was there
    }
  }

  /** The shield failed this request before any of its response was relayed ({@code why}): true when it goes to the origin. */
  private boolean toOriginInstead(String why) {
    if (viaShield == null || responseStarted || !retryableOnStale || !requestComplete) {
      return false;
    }
    logger.debug("app {}: shield {} {}; going to the origin", app, viaShield, why);
    viaShield = null;
    skippingInformational = false;
    closeBackend();
    sendAgain();
    return true;
  }

  /** The request (idempotent, without a body, sent whole) goes out again from its head, to a new connection. */
  private void sendAgain() {
    cancelTimeout();
    held.add(LastHttpContent.EMPTY_LAST_CONTENT);
    attempt();
  }

  /** A stream to the shield POP is ready, or not: then the origin, as if there were no shield. */
  private void shieldConnected(String pop, @Nullable Channel stream, @Nullable Throwable cause) {
    if (done) {
      if (stream != null) {
        stream.close();
      }
      return;
    }
    if (stream == null) {
      logger.debug("app {}: shield {} cannot be asked ({}); going to the origin", app, pop, cause == null ? "-" : cause.toString());
      attempt();
      return;
    }
    viaShield = pop;
    attachNew(stream, null);
  }

  /** {@code picked} was not used ({@code why}; its slot already given back): another backend, or 502 naming those tried. */
  private void next(RouteDecision.Reserved picked, String why) {
    reserved = null;
    tried.add(picked.backend().id());
    logger.debug("app {}: {}", app, why);
    if (tried.size() < site.edge().proxy().connectAttempts()) {
      attempt();
    } else {
      noneConnected();
    }
  }

  private void noneConnected() {
    fail(HttpResponseStatus.BAD_GATEWAY, "could not connect to a backend of app " + app + " (tried " + String.join(", ", tried)
        + ")", "connect failed");
  }

  private void attach(Channel channel, boolean pooled) {
    backend = channel;
    reused = pooled;
    HttpBackendHandler.of(channel).attach(this);
    channel.write(head);
    while (!held.isEmpty()) {
      channel.write(held.poll());
    }
    channel.flush();
    if (requestComplete) {
      requestSent();
    } else {
      front.reading(channel.isWritable());
    }
  }

  /** A part of the client's request body (or its end). */
  void requestPart(HttpContent part) {
    if (done) {
      ReferenceCountUtil.release(part);
      return;
    }
    boolean last = part instanceof LastHttpContent;
    Channel b = backend;
    if (b == null) {
      held.add(part);
    } else {
      b.write(part, b.voidPromise());
      if (last || !b.isWritable()) {
        b.flush();
      }
      if (!b.isWritable()) {
        front.reading(false);
      }
    }
    if (last) {
      requestComplete = true;
      if (b != null) {
        requestSent();
      }
    }
  }

  private void requestSent() {
    responseDeadline = System.nanoTime() + site.edge().config().backendTimeout().toNanos();
    loop.deadlines().watch(this);
    watched = true;
  }

  @Override
  public long deadlineNanos() {
    return responseDeadline;
  }

  @Override
  public void expired() {
    watched = false;
    if (done || responseStarted || toOriginInstead("did not answer in time")) {
      return;
    }
    long millis = site.edge().config().backendTimeout().toMillis();
    logger.debug("app {}: backend {} did not answer within {} ms", app, backendId(), millis);
    fail(HttpResponseStatus.GATEWAY_TIMEOUT, "backend " + backendId() + " of app " + app
        + " did not start its response within " + millis + " ms", "backend timeout");
  }

  private String backendId() {
    RouteDecision.Reserved r = reserved;
    return r != null ? r.backend().id() : viaShield != null ? "shield " + viaShield : "-";
  }

  /** Sends the request bytes the client's last read produced. */
  void flushBackend() {
    Channel b = backend;
    if (b != null) {
      b.flush();
    }
  }

  /** Sends the response bytes the backend's last read produced. */
  void flushClient() {
    if (!done) {
      front.flush();
    }
  }

  /** The backend can take more request bytes (or not). */
  void backendWritable(boolean writable) {
    if (!requestComplete) {
      front.reading(writable);
    }
  }

  /** The client can take more response bytes (or not). */
  void clientWritable(boolean writable) {
    Channel b = backend;
    if (b != null && responseStarted) {
      b.config().setAutoRead(writable);
    }
  }

  void backendResponse(HttpResponse response) {
    if (done) {
      return;
    }
    if (response.decoderResult().isFailure()) {
      backendFailed("an invalid response (" + response.decoderResult().cause().getMessage() + ")");
      return;
    }
    if (response.headers().contains(CacheShields.ERROR_FIELD) && toOriginInstead("could not serve it (" + response.status() + ")")) {
      return;
    }
    int code = response.status().code();
    if (code == 101 && upgrade != null) {
      responseStarted = true;
      cancelTimeout();
      log.status(101).backend(backendId());
      upgraded(backend, response);
      return;
    }
    if (code / 100 == 1) {
      skippingInformational = true; // 100 Continue was answered at the edge; other 1xx are not relayed
      return;
    }
    responseStarted = true;
    cancelTimeout();
    response.headers().remove(CacheShields.ERROR_FIELD); // between POPs only
    backendKeepAlive = HttpUtil.isKeepAlive(response);
    log.status(code).backend(backendId());
    boolean writable = front.respond(HttpForwarding.toClient(response, false, !front.isHttp2(), headRequest,
        front.closesAfterResponse()), false);
    clientWritable(writable);
  }

  void backendContent(HttpContent content) {
    if (skippingInformational) {
      ReferenceCountUtil.release(content);
      skippingInformational = !(content instanceof LastHttpContent);
      return;
    }
    if (done || !responseStarted) {
      ReferenceCountUtil.release(content);
      return;
    }
    if (content.decoderResult().isFailure()) {
      ReferenceCountUtil.release(content);
      backendFailed("an invalid response body (" + content.decoderResult().cause().getMessage() + ")");
      return;
    }
    log.addBytes(content.content().readableBytes());
    boolean last = content instanceof LastHttpContent;
    boolean writable = front.respond(content, last);
    if (last) {
      finish();
    } else {
      clientWritable(writable);
    }
  }

  private void upgraded(Channel b, HttpResponse response) {
    done = true;
    RouteDecision.Reserved r = reserved;
    HttpBackendHandler.of(b).attach(null);
    b.closeFuture().addListener(x -> r.lease().release()); // a tunnel holds its slot until it closes
    front.upgraded(HttpForwarding.toClient(response, true, true, false, false), b, r.candidate().load());
    site.observer().completed(log.nanos(System.nanoTime() - startNanos).outcome("upgraded").build());
  }

  /** The backend closed or failed while this exchange was using it. */
  void backendClosed(@Nullable Throwable cause) {
    if (done) {
      return;
    }
    String why = cause == null ? "closed the connection" : "failed (" + cause + ")";
    if (toOriginInstead(why + " before responding")) {
      return;
    }
    if (!responseStarted && reused && retryableOnStale && requestComplete && !staleRetried) {
      logger.debug("app {}: pooled connection to {} {}; retrying on a new connection", app, backendId(), why);
      staleRetried = true;
      releaseSlot();
      backend = null;
      sendAgain();
      return;
    }
    backendFailed(why);
  }

  private void backendFailed(String why) {
    if (!responseStarted) {
      fail(HttpResponseStatus.BAD_GATEWAY, "backend " + backendId() + " of app " + app + " " + why
          + " before responding", "backend failed");
      return;
    }
    logger.debug("app {}: backend {} {} in the middle of its response", app, backendId(), why);
    discard();
    end("backend " + why);
    front.abort();
  }

  /** The client went away. */
  void clientGone() {
    if (done) {
      return;
    }
    if (requestComplete && front.goesOnWithoutClient()) {
      clientWritable(true); // nobody to wait for now
      return;
    }
    discard();
    end("client closed");
  }

  private void finish() {
    end("ok");
    Channel b = backend;
    if (b != null) {
      b.config().setAutoRead(true);
      HttpBackendHandler.of(b).detach(b, backendKeepAlive && requestComplete, System.nanoTime());
    }
    front.finished(requestComplete);
  }

  /** Answers for the backend, before any of its response was relayed. */
  private void fail(HttpResponseStatus status, String detail, String outcome) {
    log.status(status.code());
    discard();
    end(outcome + ": " + detail);
    front.answer(status, detail, requestComplete);
  }

  /** Ends the exchange (once): its timer, its slot, its report. */
  private void end(String outcome) {
    done = true;
    cancelTimeout();
    releaseSlot();
    site.observer().completed(log.nanos(System.nanoTime() - startNanos).outcome(outcome).build());
    front.ended();
  }

  /** Drops the backend connection and what of the request was still held. */
  private void discard() {
    closeBackend();
    held.forEach(ReferenceCountUtil::release);
    held.clear();
  }

  private void releaseSlot() {
    RouteDecision.Reserved r = reserved;
    if (r != null) {
      r.lease().release();
    }
  }

  private void closeBackend() {
    Channel b = backend;
    backend = null;
    if (b != null) {
      HttpBackendHandler.of(b).attach(null);
      b.close();
    }
  }

  private void cancelTimeout() {
    if (watched) {
      loop.deadlines().unwatch(this);
      watched = false;
    }
  }
}
