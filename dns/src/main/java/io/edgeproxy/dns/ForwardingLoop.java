package io.edgeproxy.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.socket.DatagramPacket;
import io.netty.util.collection.IntObjectHashMap;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.Inet4Address;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Forwarding on one event loop: the loop's UDP sockets towards the upstreams (one per address
 * family in use, on a random port), the tries waiting for a UDP reply keyed by their random id,
 * and the count of queries in flight. Every method runs on {@link #loop()} only, so nothing here
 * is locked.
 */
final class ForwardingLoop {
  private static final Logger logger = LoggerFactory.getLogger(ForwardingLoop.class);
  /**
   * Forwarded queries one client (a TCP connection: it may pipeline) may have waiting; more get
   * SERVFAIL at once, so one connection cannot take the whole loop's budget (TCP has no rate limit).
   */
  static final int MAX_PENDING_PER_CLIENT = 32;

  private final EventLoop loop;
  private final Forwarder.Plan plan;
  private final IntObjectHashMap<UdpTry> pending = new IntObjectHashMap<>();
  private final SecureRandom random = new SecureRandom();
  private @Nullable Channel udp4;
  private @Nullable Channel udp6;
  private int inFlight;

  /** One UDP try: which query, to which upstream, and its timeout. */
  private record UdpTry(ForwardedQuery query, InetSocketAddress upstream, ScheduledFuture<?> timer) {}

  ForwardingLoop(EventLoop loop, Forwarder.Plan plan) {
    this.loop = loop;
    this.plan = plan;
  }

  /** Binds this loop's UDP sockets, one per family the upstreams use; blocks (call off the loop). */
  void bind() {
    for (InetSocketAddress upstream : plan.upstreams()) {
      boolean v4 = upstream.getAddress() instanceof Inet4Address;
      if (v4 && udp4 == null) {
        udp4 = bindUdp("0.0.0.0");
      } else if (!v4 && udp6 == null) {
        udp6 = bindUdp("::");
      }
    }
  }

  private Channel bindUdp(String wildcard) {
    return new Bootstrap()
        .group(loop)
        .channel(plan.transport().datagramClass())
        .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(65535))
        .handler(new UpstreamUdpHandler())
        .bind(new InetSocketAddress(wildcard, 0)).syncUninterruptibly().channel();
  }

  EventLoop loop() {
    return loop;
  }

  DnsTransport transport() {
    return plan.transport();
  }

  /** Starts forwarding {@code query}; its reply (or SERVFAIL) goes to {@code query.client} later. */
  void forward(ForwardedQuery query) {
    if (inFlight >= plan.maxInFlight() || query.client.forwardsPending() >= MAX_PENDING_PER_CLIENT) {
      plan.stats().forwardOverflow();
      logger.debug("SERVFAIL for {}: {} forwarded queries in flight on this loop, {} for this client", query.describe(),
          inFlight, query.client.forwardsPending());
      query.client.forwarded();
      serverFailure(query);
      return;
    }
    inFlight++;
    plan.stats().forwarded();
    logger.debug("forwarding {} over {}", query.describe(), query.client.tcp() ? "TCP" : "UDP");
    query.client.forwarded();
    tryNext(query);
  }

  private void tryNext(ForwardedQuery query) {
    InetSocketAddress upstream = query.nextUpstream(plan.upstreams());
    if (upstream == null) {
      inFlight--;
      logger.debug("SERVFAIL for {}: no upstream answered", query.describe());
      serverFailure(query);
      return;
    }
    int id = freshId();
    long timeout = plan.timeout().toMillis();
    if (query.client.tcp()) {
      UpstreamTcpExchange.start(this, query, id, upstream, timeout);
      return;
    }
    Channel udp = upstream.getAddress() instanceof Inet4Address ? udp4 : udp6;
    ByteBuf out = udp.alloc().ioBuffer(query.message.length);
    out.writeBytes(query.message).setShort(0, id);
    ScheduledFuture<?> timer = loop.schedule(() -> udpTimedOut(id, query), timeout, TimeUnit.MILLISECONDS);
    pending.put(id, new UdpTry(query, upstream, timer));
    udp.writeAndFlush(new DatagramPacket(out, upstream)).addListener(f -> {
      if (!f.isSuccess()) {
        udpFailed(id, query, f.cause().toString());
      }
    });
  }

  /** A random id no pending UDP try uses (RFC 5452 section 4.3: unpredictable ids). */
  private int freshId() {
    int id;
    do {
      id = random.nextInt(1 << 16);
    } while (pending.containsKey(id));
    return id;
  }

  private void udpTimedOut(int id, ForwardedQuery query) {
    UdpTry t = pending.get(id);
    if (t != null && t.query() == query) {
      pending.remove(id);
      plan.stats().upstreamTimeout();
      logger.debug("upstream {} did not answer {} in time", t.upstream(), query.describe());
      tryNext(query);
    }
  }

  private void udpFailed(int id, ForwardedQuery query, String problem) {
    UdpTry t = pending.get(id);
    if (t != null && t.query() == query) {
      pending.remove(id);
      t.timer().cancel(false);
      plan.stats().upstreamFailure();
      logger.debug("cannot send {} to upstream {}: {}", query.describe(), t.upstream(), problem);
      tryNext(query);
    }
  }

  /** A datagram on a forwarding socket: used only when it answers a pending try, from that try's upstream. */
  private void udpReply(DatagramPacket packet) {
    ByteBuf reply = packet.content();
    int id = reply.readableBytes() < QueryParser.HEADER_LENGTH ? -1 : reply.getUnsignedShort(reply.readerIndex());
    UdpTry t = id < 0 ? null : pending.get(id);
    if (t == null || !t.upstream().equals(packet.sender()) || !UpstreamReplies.answers(reply, id, t.query().query.question())) {
      plan.stats().upstreamIgnored();
      logger.debug("ignored a datagram from {} on a forwarding socket: no pending query of that id, sender and question",
          packet.sender());
      return;
    }
    pending.remove(id);
    t.timer().cancel(false);
    replied(t.query(), reply);
  }

  /** The end of one TCP try: {@code reply} (released here) or, when null, why there was none. */
  void tcpDone(ForwardedQuery query, int id, @Nullable ByteBuf reply, boolean timedOut, @Nullable String problem) {
    if (reply == null) {
      if (timedOut) {
        plan.stats().upstreamTimeout();
      } else {
        plan.stats().upstreamFailure();
      }
      logger.debug("upstream TCP try for {} failed: {}", query.describe(), problem);
      tryNext(query);
      return;
    }
    try {
      if (!UpstreamReplies.answers(reply, id, query.query.question())) {
        plan.stats().upstreamFailure();
        logger.debug("upstream TCP reply for {} does not match the query", query.describe());
        tryNext(query);
        return;
      }
      replied(query, reply);
    } finally {
      reply.release();
    }
  }

  /**
   * A matching reply: relayed as it is with the client's id, TC included (the client retries
   * over TCP); SERVFAIL and REFUSED move on to the next upstream, as Consul's recursors do.
   */
  private void replied(ForwardedQuery query, ByteBuf reply) {
    int rcode = UpstreamReplies.rcode(reply);
    if (rcode == Answer.SERVFAIL || rcode == Answer.REFUSED) {
      plan.stats().upstreamFailure();
      logger.debug("upstream answered {} with RCODE {}; trying the next", query.describe(), rcode);
      tryNext(query);
      return;
    }
    inFlight--;
    ByteBuf out = reply.copy();
    out.setShort(0, query.query.id());
    plan.stats().response(rcode);
    query.client.send(out);
  }

  /** SERVFAIL with the question (and the OPT record when the query had one). */
  private void serverFailure(ForwardedQuery query) {
    DnsQuery q = query.query;
    int limit = query.client.tcp() ? ResponseWriter.TCP_MAX : ResponseWriter.udpLimit(q.edns());
    ByteBuf out = ByteBufAllocator.DEFAULT.ioBuffer(64 + q.question().length);
    ResponseWriter.write(out, q, new Answer.ServerFailure(), limit, 0, plan.writer());
    plan.stats().response(Answer.SERVFAIL);
    query.client.send(out);
  }

  /** Closes the UDP sockets; pending tries end with the loop. */
  void close() {
    for (Channel ch : new Channel[] {udp4, udp6}) {
      if (ch != null) {
        ch.close().syncUninterruptibly();
      }
    }
  }

  /** Replies on this loop's forwarding sockets. */
  private final class UpstreamUdpHandler extends SimpleChannelInboundHandler<DatagramPacket> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramPacket packet) {
      udpReply(packet);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      logger.debug("UDP error on forwarding socket {}: {}", ctx.channel().localAddress(), cause.toString());
    }
  }
}
