package io.edgeproxy.proxy;

import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpMessage;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.DefaultHttp2DataFrame;
import io.netty.handler.codec.http2.DefaultHttp2Headers;
import io.netty.handler.codec.http2.DefaultHttp2HeadersFrame;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.DefaultHttp2WindowUpdateFrame;
import io.netty.handler.codec.http2.Http2DataFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2Exception;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameStream;
import io.netty.handler.codec.http2.Http2FrameStreamEvent;
import io.netty.handler.codec.http2.Http2FrameStreamException;
import io.netty.handler.codec.http2.Http2Headers;
import io.netty.handler.codec.http2.Http2HeadersFrame;
import io.netty.handler.codec.http2.Http2ResetFrame;
import io.netty.handler.codec.http2.Http2Stream;
import io.netty.handler.codec.http2.HttpConversionUtil;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.collection.IntObjectHashMap;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * HTTP/2 for the edge, frame by frame: one handler per connection behind Netty's
 * {@link Http2FrameCodec}, and per stream an {@link HttpFrontHandler} that sees HTTP/1-style
 * messages, as on an HTTP/1.1 connection, through a {@link FrontWire} that writes its responses as
 * frames. Netty's {@code Http2MultiplexHandler} would make a child channel with its own pipeline,
 * promises and codec per stream; at the request rates of an edge that was a large part of the
 * work per request. Flow control: a stream's request body is acknowledged (WINDOW_UPDATE) as the
 * backend takes it, and held back while it cannot; a stream is writable while its send window and
 * the connection's socket have room, and told when that changes. Loop thread only.
 */
final class Http2Front extends ChannelInboundHandlerAdapter {
  private static final Logger logger = LoggerFactory.getLogger(Http2Front.class);

  private final HttpSite site;
  private final ProxyConnection connection;
  private final IntObjectHashMap<Stream> streams = new IntObjectHashMap<>();
  /** Streams that read something since the last read completed: their requests go out to the backends then. */
  private final List<Stream> readNow = new ArrayList<>();
  private @Nullable ChannelHandlerContext ctx;
  private @Nullable Http2FrameCodec codec;

  Http2Front(HttpSite site, ProxyConnection connection) {
    this.site = site;
    this.connection = connection;
  }

  @Override
  public void handlerAdded(ChannelHandlerContext context) {
    ctx = context;
    codec = context.pipeline().get(Http2FrameCodec.class);
  }

  @Override
  public void channelRead(ChannelHandlerContext context, Object msg) {
    switch (msg) {
      case Http2HeadersFrame headers -> headers(headers);
      case Http2DataFrame data -> data(data);
      case Http2ResetFrame reset -> {
        Stream stream = streams.get(reset.stream().id());
        if (stream != null) {
          stream.gone();
        }
      }
      default -> ReferenceCountUtil.release(msg); // settings, pings, GOAWAY: the codec has acted on them
    }
  }

  private void headers(Http2HeadersFrame frame) {
    int id = frame.stream().id();
    Stream stream = streams.get(id);
    try {
      if (stream == null) {
        stream = new Stream(frame.stream());
        streams.put(id, stream);
        HttpRequest request = frame.isEndStream()
            ? HttpConversionUtil.toFullHttpRequest(id, frame.headers(), Unpooled.EMPTY_BUFFER, true)
            : HttpConversionUtil.toHttpRequest(id, frame.headers(), true);
        if (!stream.expectation(request)) {
          return;
        }
        stream.read(request);
      } else if (frame.isEndStream()) { // trailers
        LastHttpContent last = new DefaultLastHttpContent(Unpooled.EMPTY_BUFFER, false);
        HttpConversionUtil.addHttp2ToHttpHeaders(id, frame.headers(), last.trailingHeaders(), HttpVersion.HTTP_1_1, true, true);
        stream.read(last);
      } else {
        stream.reset(Http2Error.PROTOCOL_ERROR); // a second head without the end of the stream
      }
    } catch (Http2Exception e) {
      logger.debug("{}: stream {}: {}", ctx.channel().remoteAddress(), id, e.getMessage());
      stream.reset(Http2Error.PROTOCOL_ERROR);
    }
  }

  private void data(Http2DataFrame frame) {
    Stream stream = streams.get(frame.stream().id());
    if (stream == null) {
      if (frame.initialFlowControlledBytes() > 0) { // nobody wants it: its window back
        ctx.write(new DefaultHttp2WindowUpdateFrame(frame.initialFlowControlledBytes()).stream(frame.stream()), ctx.voidPromise());
      }
      frame.release();
      return;
    }
    stream.consumed(frame.initialFlowControlledBytes());
    stream.read(frame.isEndStream() ? new DefaultLastHttpContent(frame.content()) : new DefaultHttpContent(frame.content()));
  }

  @Override
  public void channelReadComplete(ChannelHandlerContext context) {
    for (Stream stream : readNow) {
      stream.readPending = false;
      stream.front.readComplete();
    }
    readNow.clear();
    context.fireChannelReadComplete();
  }

  @Override
  public void userEventTriggered(ChannelHandlerContext context, Object evt) {
    if (evt instanceof Http2FrameStreamEvent event) {
      Stream stream = streams.get(event.stream().id());
      if (stream != null) {
        if (event.type() == Http2FrameStreamEvent.Type.State && event.stream().state() == Http2Stream.State.CLOSED) {
          stream.gone();
        } else if (event.type() == Http2FrameStreamEvent.Type.Writability) {
          stream.front.writable(stream.isWritable());
        }
      }
      return;
    }
    context.fireUserEventTriggered(evt);
  }

  @Override
  public void channelWritabilityChanged(ChannelHandlerContext context) {
    for (Stream stream : List.copyOf(streams.values())) {
      stream.front.writable(stream.isWritable());
    }
    context.fireChannelWritabilityChanged();
  }

  @Override
  public void channelInactive(ChannelHandlerContext context) {
    for (Stream stream : List.copyOf(streams.values())) {
      stream.gone();
    }
    context.fireChannelInactive();
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext context, Throwable cause) {
    if (cause instanceof Http2FrameStreamException e) { // the codec has reset the stream
      Stream stream = streams.get(e.stream().id());
      if (stream != null) {
        stream.gone();
      }
      return;
    }
    logger.debug("{}: {}", context.channel().remoteAddress(), cause.toString());
    context.close();
  }

  /** One stream: its front handler, and the wire that turns what the handler writes into frames. */
  private final class Stream implements FrontWire {
    private final Http2FrameStream frame;
    private final HttpFrontHandler front;
    private boolean reading = true;
    private boolean readPending;
    private boolean over;
    /** Request body bytes handed on while not reading: acknowledged once reading again. */
    private int unacknowledged;

    Stream(Http2FrameStream frame) {
      this.frame = frame;
      this.front = new HttpFrontHandler(site, connection, null, true);
      front.attach(this);
    }

    void read(HttpObject msg) {
      if (!readPending) {
        readPending = true;
        readNow.add(this);
      }
      try {
        front.read(msg);
      } catch (RuntimeException e) { // this stream's, not the connection's
        logger.debug("{}: stream {}: {}", ctx.channel().remoteAddress(), frame.id(), e.toString());
        reset(Http2Error.INTERNAL_ERROR);
      }
    }

    /**
     * {@code Expect} on a request: 100-continue is answered here (the body is read as the backend
     * takes it); any other expectation gets 417 and the stream ends. False when the request goes no further.
     */
    boolean expectation(HttpRequest request) {
      String expect = request.headers().get(HttpHeaderNames.EXPECT);
      if (expect != null && !io.netty.handler.codec.http.HttpHeaderValues.CONTINUE.contentEqualsIgnoreCase(expect)) {
        ReferenceCountUtil.release(request);
        write(HttpResponses.text(ctx.alloc(), HttpResponseStatus.EXPECTATION_FAILED, "only 100-continue is understood in Expect",
            null));
        ctx.flush();
        close();
        return false;
      }
      if (HttpUtil.is100ContinueExpected(request)) {
        request.headers().remove(HttpHeaderNames.EXPECT);
        ctx.write(new DefaultHttp2HeadersFrame(new DefaultHttp2Headers().status(HttpResponseStatus.CONTINUE.codeAsText()), false)
            .stream(frame), ctx.voidPromise());
      }
      return true;
    }

    /** {@code bytes} of the request body arrived (padding included): acknowledged now, or once reading again. */
    void consumed(int bytes) {
      if (reading) {
        acknowledge(bytes);
      } else {
        unacknowledged += bytes;
      }
    }

    private void acknowledge(int bytes) {
      if (bytes > 0 && frame.state() != Http2Stream.State.CLOSED) {
        ctx.write(new DefaultHttp2WindowUpdateFrame(bytes).stream(frame), ctx.voidPromise());
      }
    }

    /**
     * The stream is over (reset, closed, the connection lost): nothing more is written to it, and
     * its handler is told once, after whatever wrote its last frame has returned (a stream closes
     * as its last frame is written, while the exchange that wrote it is still finishing).
     */
    void gone() {
      if (streams.remove(frame.id()) != null) {
        over = true;
        ctx.channel().eventLoop().execute(front::inactive);
      }
    }

    void reset(Http2Error error) {
      if (!over && frame.state() != Http2Stream.State.CLOSED) {
        ctx.writeAndFlush(new DefaultHttp2ResetFrame(error).stream(frame), ctx.voidPromise());
      }
      gone();
    }

    @Override
    public ByteBufAllocator alloc() {
      return ctx.alloc();
    }

    @Override
    public EventLoop loop() {
      return ctx.channel().eventLoop();
    }

    @Override
    public InetSocketAddress client() {
      return (InetSocketAddress) ctx.channel().remoteAddress();
    }

    @Override
    public boolean isOpen() {
      return !over && ctx.channel().isActive();
    }

    @Override
    public boolean isWritable() {
      if (over || !ctx.channel().isWritable()) {
        return false;
      }
      Http2Stream stream = codec.connection().stream(frame.id());
      return stream != null && codec.connection().remote().flowController().isWritable(stream);
    }

    @Override
    public void reading(boolean on) {
      reading = on;
      if (on && unacknowledged > 0) {
        int bytes = unacknowledged;
        unacknowledged = 0;
        acknowledge(bytes);
        ctx.flush();
      }
    }

    @Override
    public void write(HttpObject msg) {
      send(msg, false);
    }

    @Override
    public ChannelFuture writeAndFlush(HttpObject msg) {
      ChannelFuture written = send(msg, true);
      return written != null ? written : ctx.newSucceededFuture();
    }

    /**
     * {@code msg} as frames on this stream; with {@code flush}, sent and the last frame's future
     * returned (null when there was nothing to write). Per response part: no list, no futures.
     */
    private @Nullable ChannelFuture send(HttpObject msg, boolean flush) {
      Http2Stream.State state = frame.state();
      if (over || state != Http2Stream.State.OPEN && state != Http2Stream.State.HALF_CLOSED_REMOTE) {
        // Nothing more may be sent on it (a write the codec refused would fail the connection's void promise).
        ReferenceCountUtil.release(msg);
        return flush ? ctx.newFailedFuture(new java.nio.channels.ClosedChannelException()) : null;
      }
      Object held = null; // the frame written last so far: the one whose future a flush returns
      if (msg instanceof HttpResponse response) {
        boolean informational = response.status().codeClass() == io.netty.handler.codec.http.HttpStatusClass.INFORMATIONAL;
        Http2Headers headers = HttpConversionUtil.toHttp2Headers(response, false);
        if (msg instanceof FullHttpMessage full) {
          boolean body = full.content().isReadable();
          boolean trailers = !full.trailingHeaders().isEmpty();
          held = emit(held, new DefaultHttp2HeadersFrame(headers, !body && !trailers && !informational).stream(frame));
          if (body) {
            held = emit(held, new DefaultHttp2DataFrame(full.content(), !trailers).stream(frame));
          } else {
            full.release();
          }
          if (trailers) {
            held = emit(held, trailersFrame(full.trailingHeaders()));
          }
        } else {
          held = emit(held, new DefaultHttp2HeadersFrame(headers, false).stream(frame));
        }
      } else if (msg instanceof LastHttpContent last) {
        boolean trailers = !last.trailingHeaders().isEmpty();
        if (last.content().isReadable() || !trailers) {
          held = emit(held, new DefaultHttp2DataFrame(last.content(), !trailers).stream(frame));
        } else {
          last.release();
        }
        if (trailers) {
          held = emit(held, trailersFrame(last.trailingHeaders()));
        }
      } else if (msg instanceof HttpContent content) {
        held = emit(held, new DefaultHttp2DataFrame(content.content(), false).stream(frame));
      } else {
        ReferenceCountUtil.release(msg);
      }
      Object lastFrame = held;
      if (lastFrame == null) {
        return null;
      }
      if (flush) {
        return ctx.writeAndFlush(lastFrame);
      }
      ctx.write(lastFrame, ctx.voidPromise());
      return null;
    }

    /** Writes {@code held} (it was not the last frame of its message); {@code next} is held now. */
    private Object emit(@Nullable Object held, Object next) {
      if (held != null) {
        ctx.write(held, ctx.voidPromise());
      }
      return next;
    }

    private Object trailersFrame(HttpHeaders trailing) {
      return new DefaultHttp2HeadersFrame(HttpConversionUtil.toHttp2Headers(trailing, false), true).stream(frame);
    }

    @Override
    public void flush() {
      ctx.flush();
    }

    /** Ends the stream: reset (CANCEL) when either side has not finished, as a child channel's close would. */
    @Override
    public void close() {
      reset(Http2Error.CANCEL);
    }
  }
}
