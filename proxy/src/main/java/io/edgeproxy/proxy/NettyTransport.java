package io.edgeproxy.proxy;

import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioChannelOption;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringChannelOption;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import io.netty.util.concurrent.DefaultThreadFactory;
import io.netty.util.concurrent.EventExecutor;
import java.net.StandardSocketOptions;
import java.util.ArrayList;
import java.util.List;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Event loops and channel classes of one I/O mechanism: {@code workers} I/O threads, each
 * accepting its own clients (SO_REUSEPORT); a client and its backend connection share one I/O
 * thread, so relaying needs no locks or cross-thread hand-off.
 */
public final class NettyTransport implements AutoCloseable {
  /**
   * The I/O mechanisms used. Native epoll is deliberately absent: in Netty 4.2.18 a channel whose
   * reads are paused (AUTO_READ off, as backpressure and connect-before-read need) when its peer
   * half-closes is dropped from the epoll set, and resuming reads then fails with epoll_ctl ENOENT
   * (EpollIoHandler.DefaultEpollIoRegistration.submit deletes the fd on NONE but stays "Added"),
   * losing the data the client sent before its FIN. NIO and io_uring do not have this fault.
   */
  public enum Kind {
    NIO, IO_URING;

    public boolean isAvailable() {
      return switch (this) {
        case NIO -> true;
        case IO_URING -> IoUring.isAvailable();
      };
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * One receive-buffer sizer for every proxied socket. Netty makes one per channel by default (64
   * bytes each, two channels per connection); it holds only its settings, and the per-channel
   * state lives in the handle each channel makes from it.
   */
  static final io.netty.channel.RecvByteBufAllocator RECEIVE_SIZER = new io.netty.channel.AdaptiveRecvByteBufAllocator();

  private final Kind kind;
  private final int workerThreads;
  private final EventLoopGroup workers;

  private NettyTransport(Kind kind, int workers) {
    this.kind = kind;
    this.workerThreads = workers > 0 ? workers : Runtime.getRuntime().availableProcessors();
    IoHandlerFactory factory = switch (kind) {
      case NIO -> NioIoHandler.newFactory();
      case IO_URING -> IoUringIoHandler.newFactory();
    };
    this.workers = new MultiThreadIoEventLoopGroup(workerThreads, new DefaultThreadFactory("proxy-io", true), factory);
  }

  /**
   * Event loops of {@code kind}; {@code workers} 0 means one per available processor.
   *
   * @throws IllegalStateException when {@code kind} is not available on this machine
   */
  public static NettyTransport create(Kind kind, int workers) {
    if (!kind.isAvailable()) {
      throw new IllegalStateException(kind.label() + " transport is not available on this machine");
    }
    return new NettyTransport(kind, workers);
  }

  /**
   * The transport {@code config} asks for: AUTO is io_uring where the kernel allows it, else NIO.
   *
   * @throws IllegalStateException when io_uring is asked for explicitly and is not available
   */
  public static NettyTransport forConfig(io.edgeproxy.core.config.ProxyConfig config) {
    Kind kind = switch (config.transport()) {
      case NIO -> Kind.NIO;
      case IO_URING -> Kind.IO_URING;
      case AUTO -> Kind.IO_URING.isAvailable() ? Kind.IO_URING : Kind.NIO;
    };
    return create(kind, config.ioThreads());
  }

  public Kind kind() {
    return kind;
  }

  public String describe() {
    return kind.label() + ", " + workerThreads + " I/O threads";
  }

  EventLoopGroup workers() {
    return workers;
  }

  Class<? extends ServerSocketChannel> serverChannelClass() {
    return switch (kind) {
      case NIO -> NioServerSocketChannel.class;
      case IO_URING -> IoUringServerSocketChannel.class;
    };
  }

  Class<? extends SocketChannel> socketChannelClass() {
    return switch (kind) {
      case NIO -> NioSocketChannel.class;
      case IO_URING -> IoUringSocketChannel.class;
    };
  }

  /** SO_REUSEPORT for this transport's server sockets, so each I/O thread can accept for itself. */
  ChannelOption<Boolean> reusePortOption() {
    return switch (kind) {
      case NIO -> NioChannelOption.of(StandardSocketOptions.SO_REUSEPORT);
      case IO_URING -> IoUringChannelOption.SO_REUSEPORT;
    };
  }

  /** The I/O event loops, one per worker thread. */
  List<EventLoop> workerLoops() {
    List<EventLoop> loops = new ArrayList<>();
    for (EventExecutor e : workers) {
      loops.add((EventLoop) e);
    }
    return loops;
  }

  /** Stops the event loops, waiting up to {@code timeout}. */
  public void shutdown(Duration timeout) {
    workers.shutdownGracefully(0, timeout.toMillis(), TimeUnit.MILLISECONDS);
    workers.terminationFuture().awaitUninterruptibly(timeout.toMillis());
  }

  @Override
  public void close() {
    shutdown(Duration.ofSeconds(5));
  }
}
