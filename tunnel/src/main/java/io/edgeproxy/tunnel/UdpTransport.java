package io.edgeproxy.tunnel;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.FixedRecvByteBufAllocator;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioChannelOption;
import jdk.net.ExtendedSocketOptions;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.unix.IntegerUnixChannelOption;
import io.netty.handler.codec.quic.QuicCodecBuilder;
import io.netty.util.concurrent.DefaultThreadFactory;

/**
 * The sockets and packet sizes both ends of a QUIC tunnel use.
 *
 * <p>What a bulk transfer costs is per packet (a system call, a decryption, a trip through quiche
 * and Netty), so packets are as large as the path allows: QUIC's own path MTU discovery (RFC 9000
 * §14.3, DPLPMTUD) probes up to {@link #MAX_PACKET} with the don't-fragment bit set and the
 * kernel's path MTU ignored, so a probe too large for the path is lost rather than fragmented, and
 * quiche searches down to the largest size that gets through (1,200 bytes at least): what an
 * Ethernet path carries, 8 KiB on loopback or jumbo frames. With epoll, datagrams are read
 * several per system call (recvmmsg). Measured in docs/benchmarks.md (device tunnels).
 */
final class UdpTransport {
  static final boolean EPOLL = Epoll.isAvailable();
  /** The largest QUIC packet probed for: fits a 9,000-byte jumbo frame; larger measured slower. */
  static final int MAX_PACKET = 8192;
  /** The largest datagram accepted from the peer (QUIC's maximum). */
  static final int MAX_RECV_PAYLOAD = 65_527;
  /** Datagrams read per system call (epoll's recvmmsg). */
  static final int READ_BATCH = 8;

  // Linux: setsockopt(IPPROTO_IP, IP_MTU_DISCOVER) and (IPPROTO_IPV6, IPV6_MTU_DISCOVER), value PROBE.
  private static final IntegerUnixChannelOption IP_MTU_DISCOVER = new IntegerUnixChannelOption("IP_MTU_DISCOVER", 0, 10);
  private static final IntegerUnixChannelOption IPV6_MTU_DISCOVER = new IntegerUnixChannelOption("IPV6_MTU_DISCOVER", 41, 23);
  private static final int PMTUDISC_PROBE = 3;

  private UdpTransport() {}

  /** One event loop (QUIC connections are served by the thread of their UDP socket). */
  static EventLoopGroup group(String threadName) {
    return new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(threadName, true),
        EPOLL ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  }

  /**
   * A loop for connections whose reads pause (spliced to a stream): NIO, never epoll, whose
   * channels lose what arrived before a FIN when their reads were paused at the time (see the proxy
   * module's DESIGN.md, Transports).
   */
  static EventLoopGroup appGroup(String threadName) {
    return new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(threadName, true), NioIoHandler.newFactory());
  }

  /** The TCP channel class for {@link #appGroup}'s loops. */
  static Class<? extends SocketChannel> appSocket() {
    return NioSocketChannel.class;
  }

  /** The TCP channel class for {@link #group}'s loops, for connections that never pause reads. */
  static Class<? extends SocketChannel> socket() {
    return EPOLL ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  /** A bootstrap for a UDP socket on {@code group}. */
  static Bootstrap datagrams(EventLoopGroup group) {
    if (!EPOLL) {
      // One datagram per read; the JDK's don't-fragment honours the kernel's path MTU (DO, not PROBE).
      return new Bootstrap().group(group).channel(NioDatagramChannel.class)
          .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_RECV_PAYLOAD + 1))
          .option(NioChannelOption.of(ExtendedSocketOptions.IP_DONTFRAGMENT), true);
    }
    return new Bootstrap().group(group).channel(EpollDatagramChannel.class)
        .option(ChannelOption.RCVBUF_ALLOCATOR, new FixedRecvByteBufAllocator(MAX_RECV_PAYLOAD * READ_BATCH))
        .option(EpollChannelOption.MAX_DATAGRAM_PAYLOAD_SIZE, MAX_RECV_PAYLOAD)
        .option(IP_MTU_DISCOVER, PMTUDISC_PROBE)
        .option(IPV6_MTU_DISCOVER, PMTUDISC_PROBE);
  }

  /**
   * Packet sizes for a codec whose UDP socket came from {@link #datagrams}, which sets
   * don't-fragment: without it a probe larger than the path would leave as IP fragments and pass.
   */
  static <B extends QuicCodecBuilder<B>> B packetSizes(B builder) {
    return builder.maxRecvUdpPayloadSize(MAX_RECV_PAYLOAD).maxSendUdpPayloadSize(MAX_PACKET).discoverPmtu(true);
  }
}
