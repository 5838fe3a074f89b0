package io.edgeproxy.dns;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.ByteBuf;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.handler.codec.dns.DatagramDnsQuery;
import io.netty.handler.codec.dns.DatagramDnsQueryEncoder;
import io.netty.handler.codec.dns.DatagramDnsResponseDecoder;
import io.netty.handler.codec.dns.DefaultDnsOptEcsRecord;
import io.netty.handler.codec.dns.DefaultDnsQuery;
import io.netty.handler.codec.dns.DefaultDnsQuestion;
import io.netty.handler.codec.dns.DefaultDnsRecordDecoder;
import io.netty.handler.codec.dns.DnsQuery;
import io.netty.handler.codec.dns.DnsRawRecord;
import io.netty.handler.codec.dns.DnsRecord;
import io.netty.handler.codec.dns.DnsRecordType;
import io.netty.handler.codec.dns.DnsResponse;
import io.netty.handler.codec.dns.DnsSection;
import io.netty.handler.codec.dns.TcpDnsQueryEncoder;
import io.netty.handler.codec.dns.TcpDnsResponseDecoder;
import io.netty.util.NetUtil;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/** A DNS client on Netty's own DNS codec (UDP or TCP), independent of the server's wire code. */
final class NettyDnsClient implements AutoCloseable {
  /** A response, its records' data in dig +short's notation. */
  record Reply(int rcode, boolean truncated, boolean authoritative, List<String> answers, int authority, List<String> additional) {}

  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final boolean tcp;
  private final InetSocketAddress server;
  private final AtomicInteger ids = new AtomicInteger(1);

  NettyDnsClient(boolean tcp, InetSocketAddress server) {
    this.tcp = tcp;
    this.server = server;
  }

  Reply query(String name, DnsRecordType type) {
    return query(name, type, null);
  }

  /** {@code subnet}: an EDNS Client Subnet to send (address and prefix), or null for plain EDNS. */
  Reply query(String name, DnsRecordType type, InetAddress subnet, int prefix) {
    return query(name, type, new DefaultDnsOptEcsRecord(1232, prefix, subnet.getAddress()));
  }

  private Reply query(String name, DnsRecordType type, DnsRecord opt) {
    BlockingQueue<Reply> replies = new LinkedBlockingQueue<>();
    Channel ch = connect(replies);
    try {
      int id = ids.getAndIncrement();
      DnsQuery q = tcp ? new DefaultDnsQuery(id) : new DatagramDnsQuery(null, server, id);
      q.setRecursionDesired(false);
      q.addRecord(DnsSection.QUESTION, new DefaultDnsQuestion(name, type));
      if (opt != null) {
        q.addRecord(DnsSection.ADDITIONAL, opt);
      }
      ch.writeAndFlush(q).syncUninterruptibly();
      Reply reply = replies.poll(5, TimeUnit.SECONDS);
      if (reply == null) {
        throw new AssertionError("no DNS reply for " + name + " " + type);
      }
      return reply;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    } finally {
      ch.close().syncUninterruptibly();
    }
  }

  private Channel connect(BlockingQueue<Reply> replies) {
    SimpleChannelInboundHandler<DnsResponse> collect = new SimpleChannelInboundHandler<>() {
      @Override
      protected void channelRead0(ChannelHandlerContext ctx, DnsResponse r) {
        replies.add(new Reply(r.code().intValue(), r.isTruncated(), r.isAuthoritativeAnswer(),
            data(r, DnsSection.ANSWER), r.count(DnsSection.AUTHORITY), data(r, DnsSection.ADDITIONAL)));
      }
    };
    Bootstrap b = new Bootstrap().group(group).handler(new ChannelInitializer<Channel>() {
      @Override
      protected void initChannel(Channel ch) {
        if (tcp) {
          ch.pipeline().addLast(new TcpDnsQueryEncoder(), new TcpDnsResponseDecoder(), collect);
        } else {
          ch.pipeline().addLast(new DatagramDnsQueryEncoder(), new DatagramDnsResponseDecoder(), collect);
        }
      }
    });
    if (tcp) {
      return b.channel(NioSocketChannel.class).connect(server).syncUninterruptibly().channel();
    }
    return b.channel(NioDatagramChannel.class).bind(new InetSocketAddress("127.0.0.1", 0)).syncUninterruptibly().channel();
  }

  private static List<String> data(DnsResponse r, DnsSection section) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < r.count(section); i++) {
      DnsRecord record = r.recordAt(section, i);
      if (record.type() != DnsRecordType.OPT && record instanceof DnsRawRecord raw) {
        out.add(format(raw));
      }
    }
    return out;
  }

  private static String format(DnsRawRecord raw) {
    ByteBuf c = raw.content().duplicate();
    if (raw.type() == DnsRecordType.A || raw.type() == DnsRecordType.AAAA) {
      byte[] a = new byte[c.readableBytes()];
      c.readBytes(a);
      return NetUtil.bytesToIpAddress(a);
    }
    if (raw.type() == DnsRecordType.SRV) {
      return c.readUnsignedShort() + " " + c.readUnsignedShort() + " " + c.readUnsignedShort() + " "
          + DefaultDnsRecordDecoder.decodeName(c);
    }
    if (raw.type() == DnsRecordType.TXT) {
      StringBuilder text = new StringBuilder();
      while (c.isReadable()) {
        text.append(c.readCharSequence(c.readUnsignedByte(), StandardCharsets.UTF_8));
      }
      return text.toString();
    }
    return raw.type().name();
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).syncUninterruptibly();
  }
}
