package io.edgeproxy.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * One try of a forwarded query over TCP (RFC 7766): a short-lived connection to one upstream,
 * one length-prefixed query, the first framed message back, then close. Connecting and answering
 * together must fit in the timeout. Runs on the client's event loop only; reports exactly once
 * to {@link ForwardingLoop#tcpDone}.
 */
final class UpstreamTcpExchange extends ChannelInboundHandlerAdapter {
  private final ForwardingLoop owner;
  private final ForwardedQuery query;
  private final int id;
  private @Nullable Channel channel;
  private @Nullable ScheduledFuture<?> timer;
  private boolean done;

  private UpstreamTcpExchange(ForwardingLoop owner, ForwardedQuery query, int id) {
    this.owner = owner;
    this.query = query;
    this.id = id;
  }

  /** Connects to {@code upstream} on {@code loop} and sends the query with {@code id}. */
  static void start(ForwardingLoop owner, ForwardedQuery query, int id, InetSocketAddress upstream, long timeoutMillis) {
    UpstreamTcpExchange exchange = new UpstreamTcpExchange(owner, query, id);
    EventLoop loop = owner.loop();
    ChannelFuture connect = new Bootstrap()
        .group(loop)
        .channel(owner.transport().socketClass())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
        .option(ChannelOption.TCP_NODELAY, true)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new LengthFieldBasedFrameDecoder(65535 + 2, 0, 2, 0, 2), exchange);
          }
        })
        .connect(upstream);
    exchange.channel = connect.channel();
    exchange.timer = loop.schedule(() -> exchange.finish(null, true, "no answer in " + timeoutMillis + " ms"),
        timeoutMillis, TimeUnit.MILLISECONDS);
    connect.addListener((ChannelFuture f) -> {
      // When no socket could be made (e.g. out of file descriptors) Netty fails the connect on its
      // global executor: move to the loop, which owns every piece of state touched here.
      if (loop.inEventLoop()) {
        exchange.connected(f);
      } else {
        loop.execute(() -> exchange.connected(f));
      }
    });
  }

  private void connected(ChannelFuture f) {
    if (!f.isSuccess()) {
      finish(null, false, "cannot connect: " + f.cause());
      return;
    }
    if (done) {
      return; // timed out while connecting; finish() closed the channel
    }
    ByteBuf out = f.channel().alloc().ioBuffer(2 + query.message.length);
    out.writeShort(query.message.length).writeBytes(query.message).setShort(2, id);
    f.channel().writeAndFlush(out);
  }

  @Override
  public void channelRead(ChannelHandlerContext ctx, Object msg) {
    finish((ByteBuf) msg, false, null);
  }

  @Override
  public void channelInactive(ChannelHandlerContext ctx) {
    finish(null, false, "closed without an answer");
  }

  @Override
  public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
    finish(null, false, cause.toString());
  }

  /** Reports once: the reply (ownership passes on) or the reason there is none; later calls only release. */
  private void finish(@Nullable ByteBuf reply, boolean timedOut, @Nullable String problem) {
    if (done) {
      if (reply != null) {
        reply.release();
      }
      return;
    }
    done = true;
    try {
      if (timer != null) {
        timer.cancel(false);
      }
      if (channel != null && channel.isRegistered()) { // a channel that never got a socket cannot be closed
        channel.close();
      }
    } finally {
      owner.tcpDone(query, id, reply, timedOut, problem); // always: the client's answer and the in-flight count
    }
  }
}
