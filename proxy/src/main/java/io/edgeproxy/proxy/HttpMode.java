package io.edgeproxy.proxy;

import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerExpectContinueHandler;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.flush.FlushConsolidationHandler;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import org.jspecify.annotations.Nullable;

/**
 * Puts a client connection into HTTP mode: HTTP/2 when TLS negotiated {@code h2} (frames handled
 * by {@link Http2Front}: one {@link HttpFrontHandler} per stream, each seeing HTTP/1-style
 * messages), else HTTP/1.1. The
 * HTTP/1.1 decoder is strict (RFC 9112): Content-Length together with Transfer-Encoding, several
 * Content-Length values, a final coding other than chunked, bare LF line ends and oversized request
 * lines or heads are refused with 400 before anything reaches a backend.
 */
final class HttpMode {
  static final int MAX_REQUEST_LINE = 8 * 1024;
  static final int MAX_HEADERS = 32 * 1024;
  static final int MAX_CHUNK = 64 * 1024;
  static final int MAX_CONCURRENT_STREAMS = 128;

  private HttpMode() {}

  /**
   * Adds the HTTP handlers at the end of {@code pipeline}.
   *
   * @param tls the connection's {@code SslHandler}, or null on the plain HTTP listener
   */
  static void install(ChannelPipeline pipeline, HttpSite site, ProxyConnection connection, @Nullable SslHandler tls) {
    if (tls != null && ApplicationProtocolNames.HTTP_2.equals(tls.applicationProtocol())) {
      // Streams flush on their own; one TLS record and one write per read of the connection instead of per stream.
      pipeline.addLast("h2-flush", new FlushConsolidationHandler(FlushConsolidationHandler.DEFAULT_EXPLICIT_FLUSH_AFTER_FLUSHES, true));
      pipeline.addLast("h2", Http2FrameCodecBuilder.forServer()
          .initialSettings(Http2Settings.defaultSettings().maxConcurrentStreams(MAX_CONCURRENT_STREAMS)
              .maxHeaderListSize(MAX_HEADERS))
          .validateHeaders(true)
          .build());
      pipeline.addLast("h2-streams", new Http2Front(site, connection));
      return;
    }
    pipeline.addLast(HttpFrontHandler.CODEC, new HttpServerCodec(decoder()))
        .addLast(HttpFrontHandler.CONTINUE, new HttpServerExpectContinueHandler())
        .addLast("http", new HttpFrontHandler(site, connection, tls, false));
  }

  private static HttpDecoderConfig decoder() {
    return new HttpDecoderConfig().setMaxInitialLineLength(MAX_REQUEST_LINE).setMaxHeaderSize(MAX_HEADERS)
        .setMaxChunkSize(MAX_CHUNK).setUseRfc9112TransferEncoding(true).setStrictLineParsing(true);
  }

  /**
   * A stream from another POP asking this one's shield ({@code site.shield()}): HTTP/1.1, its
   * handlers run on {@code loop} (the stream lives on the link's loop), tracked there for the drain
   * and the idle sweep. {@code loop}'s thread.
   */
  static void installShield(io.netty.channel.Channel stream, ProxyLoop loop, HttpSite site) {
    if (!stream.isActive()) {
      return;
    }
    ProxyConnection connection = new ProxyConnection(loop, stream);
    loop.add(connection);
    stream.closeFuture().addListener(f -> loop.eventLoop().execute(() -> loop.remove(connection)));
    stream.pipeline().addLast(loop.eventLoop(), HttpFrontHandler.CODEC, new HttpServerCodec(decoder()))
        .addLast(loop.eventLoop(), "http", new HttpFrontHandler(site, connection, null, false));
  }
}
