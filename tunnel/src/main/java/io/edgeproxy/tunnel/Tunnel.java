package io.edgeproxy.tunnel;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamChannelBootstrap;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One connected tunnel as its POP holds it: an agent's QUIC connection, or its TCP fallback (HTTP/2
 * with the POP as client, {@link TcpTunnels}), authenticated for one app. Client connections become
 * streams the POP opens ({@link #openStream}); at most {@code maxStreams} are open at once.
 */
public final class Tunnel {
  private final String id;
  private final String app;
  private final String agent;
  private final InetSocketAddress remote;
  private final long sinceMs;
  private final Channel connection;
  private final int maxStreams;
  private final AtomicInteger open = new AtomicInteger();
  private final AtomicLong opened = new AtomicLong();
  private final AtomicLong bytesIn = new AtomicLong();
  private final AtomicLong bytesOut = new AtomicLong();
  private volatile long rttNanos = -1;

  Tunnel(String id, String app, String agent, InetSocketAddress remote, long sinceMs, Channel connection, int maxStreams) {
    this.id = id;
    this.app = app;
    this.agent = agent;
    this.remote = remote;
    this.sinceMs = sinceMs;
    this.connection = connection;
    this.maxStreams = maxStreams;
  }

  /**
   * Why a stream could not be opened that says nothing about the tunnel's health: it is at its
   * stream limit, or its agent has not granted more streams yet. Callers try another backend
   * without holding it against this one.
   */
  public static final class FullException extends IllegalStateException {
    FullException(String message) {
      super(message);
    }
  }

  /** How long a stream open waits for the agent to grant stream credit (QUIC MAX_STREAMS) before it fails. */
  static final long CREDIT_WAIT_MS = 1_000;
  private static final long CREDIT_RETRY_MS = 5;

  /**
   * Opens a stream to the agent for one client connection: reads paused (the caller turns them
   * on once it relays), half-closure allowed. Fails at once when the tunnel is closed or has
   * {@code maxStreams} open ({@link FullException}); waits up to {@link #CREDIT_WAIT_MS} for
   * stream credit from the agent (streams that just closed return theirs a round trip later).
   */
  public Future<Channel> openStream() {
    Promise<Channel> done = connection.eventLoop().newPromise();
    if (!connection.isActive()) {
      return done.setFailure(new IllegalStateException("tunnel " + id + " is closed"));
    }
    if (open.incrementAndGet() > maxStreams) {
      open.decrementAndGet();
      return done.setFailure(new FullException("tunnel " + id + " has " + maxStreams + " streams open (its limit)"));
    }
    opened.incrementAndGet();
    connection.eventLoop().execute(() -> create(done, System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(CREDIT_WAIT_MS)));
    return done;
  }

  private void create(Promise<Channel> done, long deadlineNanos) {
    if (!connection.isActive()) {
      open.decrementAndGet();
      done.setFailure(new IllegalStateException("tunnel " + id + " closed"));
      return;
    }
    if (!mayOpen()) {
      // Never ask for a stream the agent has not granted: a refused QUIC createStream still uses up
      // a stream id, and the ids would run ahead of the credit for good (the tunnel could open no
      // stream again); a refused HTTP/2 stream is a channel that is closed already.
      if (System.nanoTime() < deadlineNanos) {
        connection.eventLoop().schedule(() -> create(done, deadlineNanos), CREDIT_RETRY_MS, TimeUnit.MILLISECONDS);
      } else {
        open.decrementAndGet();
        done.setFailure(new FullException("tunnel " + id + ": its agent granted no stream within " + CREDIT_WAIT_MS
            + " ms (all its streams are in use)"));
      }
      return;
    }
    Future<? extends Channel> opening = connection instanceof QuicChannel quic
        ? quic.createStream(QuicStreamType.BIDIRECTIONAL, new ChannelInitializer<QuicStreamChannel>() {
          @Override
          protected void initChannel(QuicStreamChannel stream) {
            stream.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
            stream.config().setAutoRead(false);
            stream.pipeline().addLast(FinOnClose.INSTANCE, new ByteCounter(bytesIn, bytesOut));
          }
        })
        : new Http2StreamChannelBootstrap(connection).handler(new ChannelInitializer<Http2StreamChannel>() {
          @Override
          protected void initChannel(Http2StreamChannel stream) {
            stream.config().setAutoRead(false);
            stream.pipeline().addLast(new H2StreamBytes(true), FinOnClose.INSTANCE, new ByteCounter(bytesIn, bytesOut));
          }
        }).open();
    opening.addListener(f -> {
      if (f.isSuccess()) {
        Channel stream = (Channel) f.getNow();
        stream.closeFuture().addListener((ChannelFutureListener) c -> open.decrementAndGet());
        StreamPreamble.write(stream); // opens the stream at the agent even when the client waits to be spoken to
        done.setSuccess(stream);
        return;
      }
      open.decrementAndGet();
      done.setFailure(f.cause());
    });
  }

  /** True when the agent lets this POP open one more stream now. */
  private boolean mayOpen() {
    if (connection instanceof QuicChannel quic) {
      return quic.peerAllowedStreams(QuicStreamType.BIDIRECTIONAL) > 0;
    }
    Http2FrameCodec codec = connection.pipeline().get(Http2FrameCodec.class);
    return codec != null && codec.connection().local().canOpenStream();
  }

  public String id() {
    return id;
  }

  public String app() {
    return app;
  }

  public String agent() {
    return agent;
  }

  public InetSocketAddress remote() {
    return remote;
  }

  public long sinceMs() {
    return sinceMs;
  }

  public boolean isOpen() {
    return connection.isActive();
  }

  /** Streams the agent lets this POP open now (QUIC's stream credit), or -1 over the TCP fallback. */
  public long streamCredit() {
    return connection instanceof QuicChannel quic ? quic.peerAllowedStreams(QuicStreamType.BIDIRECTIONAL) : -1;
  }

  public int openStreams() {
    return open.get();
  }

  public long streamsOpened() {
    return opened.get();
  }

  /** Bytes from the agent to clients. */
  public long bytesIn() {
    return bytesIn.get();
  }

  /** Bytes from clients to the agent. */
  public long bytesOut() {
    return bytesOut.get();
  }

  /** The last round-trip time the agent's pings showed, or -1. */
  public long rttNanos() {
    return rttNanos;
  }

  void rtt(long nanos) {
    rttNanos = nanos;
  }

  Channel connection() {
    return connection;
  }

  /** {@code quic}, or {@code tcp} for the fallback. */
  public String transport() {
    return connection instanceof QuicChannel ? "quic" : "tcp";
  }

  void close() {
    connection.close();
  }

  @Override
  public String toString() {
    return "tunnel " + id + " (app " + app + ", agent " + agent + " at " + remote + ", " + transport() + ")";
  }
}
