package io.edgeproxy.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryDecoder;
import io.netty.handler.codec.dns.DatagramDnsResponse;
import io.netty.handler.codec.dns.DatagramDnsResponseEncoder;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRawRecord;
import io.netty.handler.codec.dns.DefaultDnsResponse;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsQuestion;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsResponseCode;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.handler.codec.dns.TcpDnsQueryDecoder;
import io.netty.handler.codec.dns.TcpDnsResponseEncoder;
import io.netty.util.NetUtil;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * An upstream resolver for forwarding tests, on Netty's own DNS codec: UDP and TCP on one
 * 127.0.0.1 port. Answers every A question with {@value #ADDRESS} (TTL 60), behaving as told, and
 * records every query it receives.
 */
final class TestUpstream implements AutoCloseable {
  static final String ADDRESS = "192.0.2.7";
  /** The address a forged reply carries; a client that sees it took the forgery. */
  static final String FORGED = "192.0.2.66";

  enum Behaviour {
    ANSWER,
    /** Receives and records, never answers. */
    SILENT,
    /** Over UDP, first a reply with another id, then (50 ms later) the right one. */
    WRONG_ID_FIRST,
    /** Over UDP, first a reply with the right id from another port, then the right one. */
    OTHER_SOURCE_FIRST,
    /** Over UDP, first a reply with the right id for another name, then the right one. */
    OTHER_QUESTION_FIRST,
    /** Over UDP an empty reply with TC; over TCP the full answer. */
    TRUNCATE_UDP,
    REFUSE
  }

  /**
   * One query as received.
   *
   * @param subnet the EDNS Client Subnet as {@code address/source}, or null
   */
  record Seen(boolean tcp, int id, boolean recursionDesired, boolean edns, @Nullable String subnet, String name) {}

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final List<Seen> seen = new CopyOnWriteArrayList<>();
  private final Channel forger;
  private final Channel udp;
  private final Channel tcp;
  private volatile Behaviour behaviour;
  final InetSocketAddress address;

  TestUpstream(Behaviour behaviour) {
    this.behaviour = behaviour;
    forger = new Bootstrap().group(group).channel(NioDatagramChannel.class).handler(new DatagramDnsResponseEncoder())
        .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
    Channel boundUdp = null;
    Channel boundTcp = null;
    for (int attempt = 0; boundTcp == null; attempt++) { // UDP's free port may be taken for TCP
      boundUdp = bindUdp();
      try {
        boundTcp = bindTcp((InetSocketAddress) boundUdp.localAddress());
      } catch (Exception e) { // Netty rethrows the BindException (checked) unchecked: catch it as what it is
        boundUdp.close().syncUninterruptibly();
        if (attempt == 5) {
          throw e;
        }
      }
    }
    udp = boundUdp;
    tcp = boundTcp;
    address = (InetSocketAddress) udp.localAddress();
  }

  void behave(Behaviour value) {
    behaviour = value;
  }

  List<Seen> seen() {
    return List.copyOf(seen);
  }

  private Channel bindUdp() {
    return new Bootstrap().group(group).channel(NioDatagramChannel.class)
        .handler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new DatagramDnsQueryDecoder(), new DatagramDnsResponseEncoder(), new UdpAnswerer());
          }
        })
        .bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
  }

  private Channel bindTcp(InetSocketAddress at) {
    return new ServerBootstrap().group(group).channel(NioServerSocketChannel.class)
        .childHandler(new ChannelInitializer<Channel>() {
          @Override
          protected void initChannel(Channel ch) {
            ch.pipeline().addLast(new TcpDnsQueryDecoder(), new TcpDnsResponseEncoder(), new TcpAnswerer());
          }
        })
        .bind(at).syncUninterruptibly().channel();
  }

  private final class UdpAnswerer extends SimpleChannelInboundHandler<DatagramDnsQuery> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DatagramDnsQuery query) {
      record(query, false);
      DnsQuestion question = query.recordAt(DnsSection.QUESTION);
      InetSocketAddress local = (InetSocketAddress) ctx.channel().localAddress();
      Behaviour now = behaviour;
      switch (now) {
        case SILENT -> { }
        case ANSWER, REFUSE -> ctx.writeAndFlush(reply(new DatagramDnsResponse(local, query.sender(), query.id()), question, now));
        case TRUNCATE_UDP -> {
          DatagramDnsResponse r = new DatagramDnsResponse(local, query.sender(), query.id());
          r.setTruncated(true);
          r.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(question.name(), question.type()));
          ctx.writeAndFlush(r);
        }
        case WRONG_ID_FIRST, OTHER_SOURCE_FIRST, OTHER_QUESTION_FIRST -> {
          int id = now == Behaviour.WRONG_ID_FIRST ? query.id() ^ 0x5555 : query.id();
          DnsQuestion asked = now == Behaviour.OTHER_QUESTION_FIRST
              ? new DefaultDnsQuestion("forged." + question.name(), question.type()) : question;
          DatagramDnsResponse forged = reply(new DatagramDnsResponse(local, query.sender(), id), asked, Behaviour.ANSWER);
          forged.setRecord(DnsSection.ANSWER, 0, aRecord(asked.name(), FORGED));
          (now == Behaviour.OTHER_SOURCE_FIRST ? forger : ctx.channel()).writeAndFlush(forged);
          DatagramDnsResponse right = reply(new DatagramDnsResponse(local, query.sender(), query.id()), question, Behaviour.ANSWER);
          ctx.executor().schedule(() -> ctx.writeAndFlush(right), 50, TimeUnit.MILLISECONDS);
        }
      }
    }
  }

  private final class TcpAnswerer extends SimpleChannelInboundHandler<DnsQuery> {
    @Override
    protected void channelRead0(ChannelHandlerContext ctx, DnsQuery query) {
      record(query, true);
      Behaviour now = behaviour;
      if (now != Behaviour.SILENT) {
        Behaviour answer = now == Behaviour.REFUSE ? now : Behaviour.ANSWER;
        ctx.writeAndFlush(reply(new DefaultDnsResponse(query.id()), query.recordAt(DnsSection.QUESTION), answer));
      }
    }
  }

  private void record(DnsQuery query, boolean overTcp) {
    DnsQuestion question = query.recordAt(DnsSection.QUESTION);
    boolean edns = false;
    String subnet = null;
    for (int i = 0; i < query.count(DnsSection.ADDITIONAL); i++) {
      DnsRecord r = query.recordAt(DnsSection.ADDITIONAL, i);
      if (r.type() == DnsRecordType.OPT) {
        edns = true;
        subnet = r instanceof DnsRawRecord raw ? subnet(raw.content().duplicate()) : null;
      }
    }
    seen.add(new Seen(overTcp, query.id(), query.isRecursionDesired(), edns, subnet, question.name()));
  }

  /** The client subnet option of an OPT record's options, as {@code 198.51.100.0/24}. */
  private static @Nullable String subnet(ByteBuf options) {
    while (options.readableBytes() >= 4) {
      int code = options.readUnsignedShort();
      ByteBuf data = options.readSlice(options.readUnsignedShort());
      if (code == ClientSubnet.OPTION_CODE) {
        int family = data.readUnsignedShort();
        int source = data.readUnsignedByte();
        data.readUnsignedByte();
        byte[] address = new byte[family == 1 ? 4 : 16];
        data.readBytes(address, 0, data.readableBytes());
        return NetUtil.bytesToIpAddress(address) + "/" + source;
      }
    }
    return null;
  }

  private static <R extends DnsResponse> R reply(R response, DnsQuestion question, Behaviour behaviour) {
    response.setRecursionDesired(true);
    response.setRecursionAvailable(true);
    response.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(question.name(), question.type()));
    if (behaviour == Behaviour.REFUSE) {
      response.setCode(DnsResponseCode.REFUSED);
    } else if (question.type() == DnsRecordType.A) {
      response.addRecord(DnsSection.ANSWER, aRecord(question.name(), ADDRESS));
    }
    return response;
  }

  private static DnsRecord aRecord(String name, String address) {
    return new DefaultDnsRawRecord(name, DnsRecordType.A, 60, Unpooled.wrappedBuffer(NetUtil.createByteArrayFromIpAddressString(address)));
  }

  @Override
  public void close() {
    udp.close().syncUninterruptibly();
    tcp.close().syncUninterruptibly();
    forger.close().syncUninterruptibly();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
