package io.edgeproxy.tunnel;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelDuplexHandler;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * Relaying a client connection to a device tunnel another POP holds, over a stream between the two
 * POPs (the replication module's mutual-TLS relay connections). The relaying POP opens the stream
 * and names the tunnel; the holding POP answers and then splices the stream to a new stream of
 * that tunnel:
 *
 * <pre>
 * relaying POP -> holding POP   OPEN &lt;tunnel-id&gt;
 * holding POP -> relaying POP   OK                  (then the app's bytes, both ways, FIN for FIN)
 *                               NO &lt;reason&gt;         (then closed: the relaying POP tries another backend)
 * </pre>
 *
 * A reason starting {@value #FULL} means the tunnel is busy, not broken (its stream limit): the
 * relaying POP fails with {@link Tunnel.FullException} and does not eject it. Older POPs read it
 * as any other NO.
 *
 * <p>The same streams carry requests to a POP's edge cache acting as the regional shield: the
 * asking POP sends {@value #SHIELD}, the other answers OK and serves the stream as an HTTP/1.1
 * connection (or NO: an older POP, or one without the cache, and the asking POP goes to the
 * origin itself).
 */
public final class RelayWire {
  private static final int MAX_LINE = 256;
  static final String FULL = "full: ";
  /** The first line of a stream to a POP's shield. */
  public static final String SHIELD = "SHIELD";

  private RelayWire() {}

  /** Sets up a relay stream as the proxy needs it: half-closure, reads paused, closed with a FIN. */
  public static void prepare(Channel stream) {
    stream.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    stream.config().setAutoRead(false);
    stream.pipeline().addLast(FinOnClose.INSTANCE);
  }

  /**
   * The relaying side: once {@code opening} (a stream set up by {@link #prepare}) is open, asks for
   * tunnel {@code tunnelId}; done with the stream when the holding POP said OK (reads still paused,
   * anything it sent after OK handed on at the first read), failed with its reason otherwise.
   */
  public static Future<Channel> open(Future<Channel> opening, String tunnelId) {
    return ask(opening, "OPEN " + tunnelId, "tunnel " + tunnelId);
  }

  /**
   * A stream to the edge cache of the POP at the other end, which serves it as HTTP/1.1: done as
   * soon as {@value #SHIELD} is written, so the request follows it in the same flight, not a round
   * trip later. The answer is taken off the stream when it comes: OK, and what follows is the
   * response; NO, or no OK within {@code answerWithin} (a POP that died with its link still
   * open), and the stream closes before any response (the asking POP goes to the origin) and
   * {@code refused} is told.
   */
  public static Future<Channel> shield(Future<Channel> opening, java.time.Duration answerWithin, Runnable refused) {
    return onceOpen(opening, (stream, ready) -> {
      OkFirst answer = new OkFirst(refused);
      stream.pipeline().addFirst("shield-answer", answer);
      stream.writeAndFlush(Unpooled.copiedBuffer(SHIELD + "\n", StandardCharsets.US_ASCII));
      stream.eventLoop().schedule(() -> answer.late(stream), answerWithin.toNanos(), java.util.concurrent.TimeUnit.NANOSECONDS);
      ready.trySuccess(stream);
    });
  }

  /** {@code then} gets the stream once {@code opening} is done (and the promise it settles), or the promise fails as it did. */
  private static Future<Channel> onceOpen(Future<Channel> opening, java.util.function.BiConsumer<Channel, Promise<Channel>> then) {
    Promise<Channel> ready = io.netty.util.concurrent.ImmediateEventExecutor.INSTANCE.newPromise();
    opening.addListener(f -> {
      if (f.isSuccess()) {
        then.accept((Channel) f.getNow(), ready);
      } else {
        ready.tryFailure(f.cause());
      }
    });
    return ready;
  }

  /** Takes "OK\n" off the front of a shield stream; anything else, or nothing in time, closes it. Stream loop only. */
  private static final class OkFirst extends io.netty.channel.ChannelInboundHandlerAdapter {
    private final Runnable refused;
    private int matched;

    OkFirst(Runnable refused) {
      this.refused = refused;
    }

    void late(Channel stream) {
      if (matched < 3 && stream.isOpen()) {
        refused.run();
        stream.close();
      }
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (!(msg instanceof ByteBuf in)) {
        ctx.fireChannelRead(msg);
        return;
      }
      while (matched < 3 && in.isReadable()) {
        if (in.readByte() != "OK\n".charAt(matched)) {
          in.release();
          matched = -1_000; // not late: refused
          refused.run();
          ctx.close(); // NO <reason>: refused before any response
          return;
        }
        matched++;
      }
      if (matched == 3) {
        ctx.pipeline().remove(this);
        if (in.isReadable()) {
          ctx.fireChannelRead(in);
          return;
        }
      }
      in.release();
    }
  }

  private static Future<Channel> ask(Future<Channel> opening, String first, String what) {
    return onceOpen(opening, (stream, ready) -> {
      stream.pipeline().addFirst("relay-answer", new Answer(ready, what));
      stream.writeAndFlush(Unpooled.copiedBuffer(first + "\n", StandardCharsets.US_ASCII));
      stream.read();
    });
  }

  /**
   * The holding side: reads OPEN from {@code stream} (opened by POP {@code peer}), finds the tunnel
   * with {@code tunnels}, and splices the two streams, or answers NO with the reason. SHIELD gets
   * OK and goes to {@code shield} (reads paused), or NO when it is null.
   */
  public static void serve(Channel stream, String peer, Function<String, Optional<Tunnel>> tunnels,
      java.util.function.@Nullable Consumer<Channel> shield) {
    stream.config().setOption(ChannelOption.ALLOW_HALF_CLOSURE, true);
    stream.pipeline().addLast(FinOnClose.INSTANCE, new LineBasedFrameDecoder(MAX_LINE, true, true),
        new StringDecoder(StandardCharsets.US_ASCII), new SimpleChannelInboundHandler<String>() {
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, String line) {
            ctx.pipeline().remove(LineBasedFrameDecoder.class);
            ctx.pipeline().remove(StringDecoder.class);
            ctx.pipeline().remove(this);
            ctx.channel().config().setAutoRead(false);
            if (line.equals(SHIELD)) {
              if (shield == null) {
                refuse(ctx.channel(), "this POP has no edge cache (EDGEPROXY_TLS_ENABLED is off)");
              } else {
                stream.writeAndFlush(Unpooled.copiedBuffer("OK\n", StandardCharsets.US_ASCII));
                shield.accept(stream);
              }
              return;
            }
            if (!line.startsWith("OPEN ")) {
              refuse(ctx.channel(), "expected OPEN <tunnel-id> from POP " + peer);
              return;
            }
            String id = line.substring(5);
            Tunnel tunnel = tunnels.apply(id).orElse(null);
            if (tunnel == null) {
              refuse(ctx.channel(), "tunnel " + id + " is not held here (any more)");
              return;
            }
            tunnel.openStream().addListener(o -> {
              if (!o.isSuccess()) {
                refuse(stream, (o.cause() instanceof Tunnel.FullException ? FULL : "") + o.cause().getMessage());
                return;
              }
              Channel toAgent = (Channel) o.getNow();
              stream.writeAndFlush(Unpooled.copiedBuffer("OK\n", StandardCharsets.US_ASCII));
              Splice.join(stream, toAgent);
            });
          }

          @Override
          public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
            ctx.close();
          }
        });
    stream.config().setAutoRead(true);
  }

  private static void refuse(Channel stream, String why) {
    stream.writeAndFlush(Unpooled.copiedBuffer("NO " + why.replaceAll("[\\r\\n]+", " ") + "\n", StandardCharsets.US_ASCII))
        .addListener(ChannelFutureListener.CLOSE);
  }

  /** Waits for the holding POP's answer; after OK, holds what followed it until the first read. */
  private static final class Answer extends ChannelDuplexHandler {
    private final Promise<Channel> ready;
    private final String what;
    private ByteBuf line = Unpooled.buffer(32);
    private @Nullable ByteBuf after;
    private final java.util.List<Object> heldEvents = new java.util.ArrayList<>(2);
    private boolean answered;

    Answer(Promise<Channel> ready, String what) {
      this.ready = ready;
      this.what = what;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
      if (answered || !(msg instanceof ByteBuf in)) {
        ctx.fireChannelRead(msg);
        return;
      }
      try {
        while (in.isReadable() && !answered) {
          byte b = in.readByte();
          if (b == '\n') {
            answered = true;
          } else if (line.readableBytes() >= MAX_LINE) {
            fail(ctx, "an answer longer than " + MAX_LINE + " bytes");
            return;
          } else {
            line.writeByte(b);
          }
        }
        if (!answered) {
          ctx.read();
          return;
        }
        String answer = line.toString(StandardCharsets.US_ASCII);
        line.release();
        line = Unpooled.EMPTY_BUFFER;
        if (!answer.equals("OK")) {
          fail(ctx, answer.startsWith("NO ") ? answer.substring(3) : "unexpected answer '" + answer + "'");
          return;
        }
        if (in.isReadable()) {
          after = in.retain();
        }
        ready.trySuccess(ctx.channel());
      } finally {
        ReferenceCountUtil.release(msg);
      }
    }

    @Override
    public void read(ChannelHandlerContext ctx) {
      if (answered) {
        ByteBuf held = after;
        after = null;
        if (held != null) {
          ctx.fireChannelRead(held);
          ctx.fireChannelReadComplete();
        }
        heldEvents.forEach(ctx::fireUserEventTriggered); // a FIN that came with the answer
        heldEvents.clear();
        ctx.pipeline().remove(this);
      }
      ctx.read();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof io.netty.channel.socket.ChannelInputShutdownEvent
          || evt instanceof io.netty.channel.socket.ChannelInputShutdownReadComplete) {
        if (!answered) {
          fail(ctx, "the stream ended before an answer");
        } else {
          heldEvents.add(evt); // the proxy's relay is not there yet: hand it on with the bytes
        }
        return;
      }
      ctx.fireUserEventTriggered(evt);
    }

    private void fail(ChannelHandlerContext ctx, String why) {
      answered = true;
      String message = "relay to " + what + " refused: " + why;
      ready.tryFailure(why.startsWith(FULL) ? new Tunnel.FullException(message) : new IllegalStateException(message));
      ctx.close();
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      ready.tryFailure(new IllegalStateException("relay stream for " + what + " closed before an answer"));
      ctx.fireChannelInactive();
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
      if (line.refCnt() > 0 && line != Unpooled.EMPTY_BUFFER) {
        line.release();
      }
      if (after != null) {
        after.release();
        after = null;
      }
    }
  }
}
