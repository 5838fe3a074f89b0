package io.edgeproxy.tools.handover;

import io.edgeproxy.dns.DnsServer;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.unix.DomainSocketAddress;
import io.netty.channel.unix.DomainSocketReadMode;
import io.netty.channel.unix.FileDescriptor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;

/**
 * The new agent's end of a hand-over (see {@link HandOverWire} for the messages): each call sends
 * one request and waits for its answer. Closing the client before {@link #leave} leaves the
 * running agent as it was.
 */
public final class HandOverClient implements AutoCloseable {
  private static final Object CLOSED = new Object();
  private static final Duration STEP = Duration.ofSeconds(30);

  private final EventLoopGroup group;
  private final Channel channel;
  private final BlockingQueue<Object> inbox;
  private final Path path;

  private HandOverClient(EventLoopGroup group, Channel channel, BlockingQueue<Object> inbox, Path path) {
    this.group = group;
    this.channel = channel;
    this.inbox = inbox;
    this.path = path;
  }

  /** What the running agent said to HELLO. */
  public record Ready(long pid, @Nullable String dnsAddress, int udpSockets, @Nullable String nodeId, int tunnelGeneration) {}

  /**
   * Connects to the agent running on {@code routingDb}; empty when none listens there (no socket
   * file, or one a killed agent left).
   */
  public static Optional<HandOverClient> connect(Path routingDb) {
    Path path = HandOverWire.socketOf(routingDb);
    if (!Files.exists(path)) {
      return Optional.empty();
    }
    EventLoopGroup group = HandOverWire.loop("hand-over-client");
    BlockingQueue<Object> inbox = new LinkedBlockingQueue<>();
    ChannelFuture connected = new Bootstrap().group(group).channel(EpollDomainSocketChannel.class)
        .handler(new ChannelInitializer<EpollDomainSocketChannel>() {
          @Override
          protected void initChannel(EpollDomainSocketChannel ch) {
            HandOverWire.frame(ch.pipeline());
            ch.pipeline().addLast(new ChannelInboundHandlerAdapter() {
              @Override
              public void channelRead(ChannelHandlerContext ctx, Object msg) {
                inbox.add(msg);
              }

              @Override
              public void channelInactive(ChannelHandlerContext ctx) {
                inbox.add(CLOSED);
              }
            });
          }
        })
        .connect(new DomainSocketAddress(path.toFile())).awaitUninterruptibly();
    if (!connected.isSuccess()) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
      return Optional.empty(); // ECONNREFUSED: the file of an agent that is gone
    }
    return Optional.of(new HandOverClient(group, connected.channel(), inbox, path));
  }

  /** The pid of the agent serving on {@code routingDb}, or empty when none answers. */
  public static Optional<Long> servingPid(Path routingDb) {
    Optional<HandOverClient> client = connect(routingDb);
    if (client.isEmpty()) {
      return Optional.empty();
    }
    try (HandOverClient c = client.get()) {
      String answer = c.ask("STATUS", Duration.ofSeconds(5));
      return answer.startsWith("SERVING ") ? Optional.of(Long.parseLong(answer.substring(8).strip())) : Optional.empty();
    } catch (RuntimeException e) {
      return Optional.empty();
    }
  }

  /** HELLO: the running agent agrees to hand over, and says what it has. */
  public Ready hello() {
    String stranger = HandOverWire.strangerOn(channel);
    if (stranger != null) {
      throw new IllegalStateException("the agent on " + path + " may not hand over to this one: " + stranger);
    }
    String answer = ask("HELLO pid " + ProcessHandle.current().pid(), STEP);
    String[] words = answer.split(" ");
    if (!words[0].equals("READY")) {
      throw new IllegalStateException("the running agent refused to hand over: " + answer);
    }
    java.util.Map<String, String> fields = new java.util.HashMap<>();
    for (int i = 1; i < words.length; i++) {
      int eq = words[i].indexOf('=');
      if (eq > 0) {
        fields.put(words[i].substring(0, eq), words[i].substring(eq + 1));
      }
    }
    try {
      String dns = fields.getOrDefault("dns", "-");
      String node = fields.getOrDefault("node", "-");
      return new Ready(Long.parseLong(fields.get("pid")), dns.equals("-") ? null : dns,
          Integer.parseInt(fields.getOrDefault("udp", "0")), node.equals("-") ? null : node,
          Integer.parseInt(fields.getOrDefault("tunnels", "-1")));
    } catch (RuntimeException e) {
      throw new IllegalStateException("the running agent's READY is malformed (expected pid=, dns=, udp=, node=): " + answer, e);
    }
  }

  /** DNS: the running DNS server's sockets, as descriptors of this process (its UDP sockets, then its TCP listener). */
  public DnsServer.Sockets dnsSockets(int udpSockets) {
    channel.config().setOption(io.netty.channel.unix.UnixChannelOption.DOMAIN_SOCKET_READ_MODE,
        DomainSocketReadMode.FILE_DESCRIPTORS);
    try {
      channel.writeAndFlush("DNS\n");
      List<Integer> fds = new ArrayList<>();
      try {
        while (fds.size() < udpSockets + 1) {
          Object msg = next(STEP, "the DNS sockets");
          if (!(msg instanceof FileDescriptor fd)) {
            throw new IllegalStateException("expected a descriptor from the running agent, got " + msg);
          }
          fds.add(fd.intValue());
        }
      } catch (RuntimeException e) {
        DnsServer.Sockets.closeDescriptors(fds);
        throw e;
      }
      return new DnsServer.Sockets(fds.subList(0, udpSockets), fds.get(udpSockets));
    } finally {
      channel.config().setOption(io.netty.channel.unix.UnixChannelOption.DOMAIN_SOCKET_READ_MODE, DomainSocketReadMode.BYTES);
    }
  }

  /**
   * LEAVE: the running agent stops accepting, leaves the cluster and releases its exclusive ports
   * and routing.db.
   *
   * @return true when it says it has; false when it went away without saying (killed, or stopped:
   *     the OS releases all that once it has exited)
   * @throws IllegalStateException when it says it could not
   */
  public boolean leave(Duration timeout) {
    channel.writeAndFlush("LEAVE\n");
    Object answer = next(timeout, "RELEASED");
    if (answer == CLOSED) {
      return false;
    }
    if (!"RELEASED".equals(String.valueOf(answer).strip())) {
      throw new IllegalStateException("the running agent could not let go: " + answer);
    }
    return true;
  }


  /** MOVE: the running agent asks its device agents to reconnect (to this one); how many it asked. */
  public int moveTunnels() {
    String answer = ask("MOVE", STEP);
    if (!answer.startsWith("MOVING ")) {
      throw new IllegalStateException("the running agent could not move its device tunnels: " + answer);
    }
    return Integer.parseInt(answer.substring("MOVING ".length()).strip());
  }

  /** DONE: this agent serves everything now; the old one drains and exits. */
  public void done() {
    channel.writeAndFlush("DONE\n").awaitUninterruptibly(5_000);
  }

  private String ask(String request, Duration timeout) {
    channel.writeAndFlush(request + "\n");
    Object answer = next(timeout, "an answer to " + request.split(" ")[0]);
    if (answer == CLOSED) {
      throw new IllegalStateException("the running agent closed the hand-over socket " + path + " without answering");
    }
    return String.valueOf(answer).strip();
  }

  private Object next(Duration timeout, String what) {
    try {
      Object msg = inbox.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      if (msg == null) {
        throw new IllegalStateException("the running agent sent no " + what + " within " + timeout.toSeconds() + " s");
      }
      return msg;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted waiting for " + what, e);
    }
  }

  @Override
  public void close() {
    channel.close().awaitUninterruptibly(2_000);
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
