package io.edgeproxy.dns;

import io.netty.channel.ChannelFactory;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollChannelOption;
import io.netty.channel.epoll.EpollDatagramChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.DatagramChannel;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketProtocolFamily;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.StandardSocketOptions;
import java.nio.channels.spi.SelectorProvider;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The DNS server's event loops: native epoll where available (recvmmsg and sendmmsg batch
 * datagrams), else NIO. The proxy avoids epoll because of a half-close fault with paused reads;
 * DNS over UDP has no half-close, and a DNS TCP connection is closed as soon as its input ends.
 */
final class DnsTransport implements AutoCloseable {
  private final boolean epoll;
  private final EventLoopGroup group;
  private final int threads;

  DnsTransport(int threads) {
    this.epoll = Epoll.isAvailable();
    this.threads = threads > 0 ? threads : Runtime.getRuntime().availableProcessors();
    this.group = new MultiThreadIoEventLoopGroup(this.threads, new DefaultThreadFactory("dns-io", true),
        epoll ? EpollIoHandler.newFactory() : NioIoHandler.newFactory());
  }

  String describe() {
    return (epoll ? "epoll" : "nio") + ", " + threads + " I/O threads";
  }

  EventLoopGroup group() {
    return group;
  }

  List<EventLoop> loops() {
    List<EventLoop> loops = new ArrayList<>();
    for (EventExecutor e : group) {
      loops.add((EventLoop) e);
    }
    return loops;
  }

  Class<? extends DatagramChannel> datagramClass() {
    return epoll ? EpollDatagramChannel.class : NioDatagramChannel.class;
  }

  Class<? extends SocketChannel> socketClass() {
    return epoll ? EpollSocketChannel.class : NioSocketChannel.class;
  }

  /**
   * Datagram channels with sockets of {@code bindAddress}'s family. Without this Netty opens
   * dual-stack IPv6 sockets, and an IPv4 listener then carries every datagram as a v4-mapped IPv6
   * one: at 10,000 queries/s that cost about 15 % of the median latency here (dnsperf, loopback).
   */
  ChannelFactory<DatagramChannel> datagramFactory(InetAddress bindAddress) {
    SocketProtocolFamily family = familyOf(bindAddress);
    return epoll ? () -> new EpollDatagramChannel(family) : () -> new NioDatagramChannel(family);
  }

  /** Server channels with sockets of {@code bindAddress}'s family (see {@link #datagramFactory}). */
  ChannelFactory<ServerSocketChannel> serverFactory(InetAddress bindAddress) {
    SocketProtocolFamily family = familyOf(bindAddress);
    return epoll ? () -> new EpollServerSocketChannel(family) : () -> new NioServerSocketChannel(SelectorProvider.provider(), family);
  }

  /**
   * IPv4 for a specific IPv4 address; else IPv6 (dual-stack), so that 0.0.0.0, the default, keeps
   * answering IPv6 clients as well, as it always has (Netty binds it as {@code ::}).
   */
  private static SocketProtocolFamily familyOf(InetAddress address) {
    return address instanceof Inet4Address && !address.isAnyLocalAddress() ? SocketProtocolFamily.INET : SocketProtocolFamily.INET6;
  }

  ChannelOption<Boolean> reusePort() {
    return epoll ? EpollChannelOption.SO_REUSEPORT : NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT);
  }

  boolean isEpoll() {
    return epoll;
  }

  @Override
  public void close() {
    group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5_000);
  }
}
