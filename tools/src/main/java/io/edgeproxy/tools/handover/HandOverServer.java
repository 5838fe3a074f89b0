package io.edgeproxy.tools.handover;

import io.edgeproxy.core.geo.SocketAddresses;
import io.edgeproxy.dns.DnsServer;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollServerDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.FileDescriptor;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The running agent's end of a hand-over: a Unix socket beside routing.db (mode 0600, and only a
 * client of the same user is answered) where a new agent asks it to hand over. One new agent at
 * a time. Until the new agent says LEAVE nothing changes here: a new agent that dies or gives up
 * before leaves this one serving as before. After LEAVE there is no way back: {@link #finished()}
 * completes with true at DONE, or with false when the new agent vanishes first.
 */
public final class HandOverServer implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(HandOverServer.class);

  /** What the agent being taken over does: its side of the steps. */
  public interface Leaving {
    /** The DNS server's address and sockets, or empty when DNS is off. */
    Optional<DnsSockets> dnsSockets();

    /** The node id replication runs under, or null without replication. */
    @Nullable String nodeId();

    /**
     * A new agent said HELLO: its device tunnel listener may join this one's port
     * ({@code QuicHandOver}). Returns the generation of this one's connection ids, -1 without
     * a tunnel listener.
     */
    int prepareTunnels();

    /** MOVE: asks the device agents to reconnect to the new agent; returns how many were asked. */
    int moveTunnelAgents();

    /** The new agent went away before LEAVE: back to serving alone. */
    void abandoned();

    /** Why no hand-over may start now, or null when one may. */
    @Nullable String refusal();

    /**
     * Stops accepting on every listener, leaves the cluster, closes the exclusive ports and
     * releases the data directory's lock; open connections stay. Blocks until done.
     */
    void handOff();
  }

  /** The DNS server's address and its sockets' descriptors. */
  public record DnsSockets(InetSocketAddress address, DnsServer.Sockets sockets) {}

  private final Path path;
  private final EventLoopGroup group;
  private @Nullable Channel server;
  private final Leaving leaving;
  private final AtomicReference<@Nullable Channel> taker = new AtomicReference<>();
  private final CompletableFuture<Boolean> finished = new CompletableFuture<>();
  private volatile boolean letGo;
  private final java.util.concurrent.atomic.AtomicBoolean listening = new java.util.concurrent.atomic.AtomicBoolean(true);

  private HandOverServer(Path path, EventLoopGroup group, Leaving leaving) {
    this.path = path;
    this.group = group;
    this.leaving = leaving;
  }

  /**
   * Listens beside {@code routingDb}, replacing a socket file a killed agent left (the caller holds
   * the data directory's lock, so no live agent listens there).
   *
   * @throws IllegalStateException when the socket cannot be made
   */
  public static HandOverServer start(Path routingDb, Leaving leaving) {
    Path path = HandOverWire.socketOf(routingDb);
    EventLoopGroup group = HandOverWire.loop("hand-over");
    try {
      Files.deleteIfExists(path);
      HandOverServer self = new HandOverServer(path, group, leaving);
      self.server = new ServerBootstrap().group(group).channel(EpollServerDomainSocketChannel.class)
          .childHandler(new ChannelInitializer<EpollDomainSocketChannel>() {
            @Override
            protected void initChannel(EpollDomainSocketChannel ch) {
              HandOverWire.frame(ch.pipeline());
              ch.pipeline().addLast(self.new Session());
            }
          })
          .bind(new DomainSocketAddress(path.toFile())).syncUninterruptibly().channel();
      // Other users are also refused by their uid (Session.channelActive) in the moment before this.
      Files.setPosixFilePermissions(path, PosixFilePermissions.fromString("rw-------"));
      return self;
    } catch (IOException | RuntimeException e) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      throw new IllegalStateException("cannot listen for a hand-over on " + path + ": " + e.getMessage(), e);
    }
  }

  /** True when the hand-over completed (the new agent serves), false when it failed after this agent let go. */
  public CompletableFuture<Boolean> finished() {
    return finished;
  }

  /**
   * Stops taking new hand-overs and removes the socket file; a hand-over under way goes on. Only
   * the first call removes it: by a later one, the next agent may listen there.
   */
  public void stopListening() {
    Channel s = server;
    if (s == null || !listening.compareAndSet(true, false)) {
      return;
    }
    s.close().syncUninterruptibly();
    try {
      Files.deleteIfExists(path);
    } catch (IOException e) {
      logger.debug("cannot remove {}: {}", path, e.toString());
    }
  }

  @Override
  public void close() {
    stopListening();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(3_000);
  }

  private final class Session extends SimpleChannelInboundHandler<String> {
    private boolean left;
    private boolean refused;

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
      String stranger = HandOverWire.strangerOn(ctx.channel());
      if (stranger != null) {
        refused = true; // what it already sent is not read
        ctx.channel().config().setAutoRead(false);
        logger.warn("hand-over socket {}: refused a client ({})", path, stranger);
        ctx.writeAndFlush("REFUSED " + stranger + "\n").addListener(f -> ctx.close());
      }
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, String line) {
      if (refused) {
        return;
      }
      String word = line.strip();
      Channel me = ctx.channel();
      switch (word.isEmpty() ? "" : word.split(" ")[0]) {
        case "STATUS" -> ctx.writeAndFlush("SERVING " + ProcessHandle.current().pid() + "\n");
        case "HELLO" -> hello(ctx, word);
        case "DNS" -> {
          if (taker.get() == me) {
            leaving.dnsSockets().ifPresent(dns -> {
              dns.sockets().udp().forEach(fd -> ctx.write(new FileDescriptor(fd)));
              ctx.write(new FileDescriptor(dns.sockets().tcp()));
            });
            ctx.flush();
          }
        }
        case "MOVE" -> {
          if (taker.get() == me && !left) {
            ctx.writeAndFlush("MOVING " + leaving.moveTunnelAgents() + "\n");
          }
        }
        case "LEAVE" -> {
          if (taker.get() == me && !left) {
            left = true;
            letGo = true;
            Thread.ofPlatform().name("hand-off").start(() -> handOff(ctx));
          }
        }
        case "DONE" -> {
          if (taker.get() == me && left) {
            logger.info("hand-over done: the new agent serves; draining open connections, then exiting");
            finished.complete(true);
          }
        }
        default -> ctx.writeAndFlush("FAILED unknown request '" + abbreviate(word)
            + "' (expected HELLO, DNS, MOVE, LEAVE, DONE or STATUS)\n").addListener(f -> ctx.close());
      }
    }

    private void hello(ChannelHandlerContext ctx, String line) {
      Channel other = taker.get();
      String refusal = leaving.refusal();
      if (refusal != null) {
        ctx.writeAndFlush("REFUSED " + refusal + "\n").addListener(f -> ctx.close());
        return;
      }
      if (letGo || other != null && other.isActive() || !taker.compareAndSet(other, ctx.channel())) {
        ctx.writeAndFlush("REFUSED another agent is taking over" + (letGo ? " (this one has let go)" : " already") + "\n")
            .addListener(f -> ctx.close());
        return;
      }
      logger.info("hand-over: a new agent ({}) asks to take over", abbreviate(line.substring("HELLO".length()).strip()));
      Optional<DnsSockets> dns = leaving.dnsSockets();
      String nodeId = leaving.nodeId();
      ctx.writeAndFlush("READY pid=" + ProcessHandle.current().pid()
          + " dns=" + dns.map(d -> SocketAddresses.format(d.address())).orElse("-")
          + " udp=" + dns.map(d -> d.sockets().udp().size()).orElse(0)
          + " node=" + (nodeId == null ? "-" : nodeId)
          + " tunnels=" + leaving.prepareTunnels() + "\n");
    }

    private void handOff(ChannelHandlerContext ctx) {
      try {
        leaving.handOff();
        ctx.writeAndFlush("RELEASED\n");
        logger.info("hand-over: stopped accepting, left the cluster and released routing.db; waiting for the new agent");
      } catch (RuntimeException e) {
        logger.error("hand-over: letting go failed: {}", e.toString(), e);
        ctx.writeAndFlush("FAILED " + abbreviate(String.valueOf(e.getMessage())) + "\n");
      }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
      if (taker.get() != ctx.channel()) {
        return;
      }
      if (left) {
        if (finished.complete(false)) {
          logger.error("hand-over: the new agent went away after this one let go; draining and exiting with status 1"
              + " (the service manager restarts the service)");
        }
      } else {
        logger.warn("hand-over: the new agent went away before this one let go; still serving as before");
        leaving.abandoned();
        taker.compareAndSet(ctx.channel(), null);
      }
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      logger.debug("hand-over socket: {}", cause.toString());
      ctx.close();
    }
  }

  private static String abbreviate(String text) {
    String clean = text.replaceAll("\\p{Cntrl}", "?");
    return clean.length() <= 80 ? clean : clean.substring(0, 80) + "...";
  }
}
