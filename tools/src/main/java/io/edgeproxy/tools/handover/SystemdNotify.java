package io.edgeproxy.tools.handover;

import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.epoll.EpollDomainDatagramChannel;
import io.netty.channel.unix.DomainSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The service manager's readiness protocol ({@code sd_notify}, for {@code Type=notify}): a datagram
 * of {@code KEY=value} lines to the Unix socket named by {@code NOTIFY_SOCKET}, sent from this
 * process (the kernel attaches its pid). Without {@code NOTIFY_SOCKET} nothing is sent.
 */
public final class SystemdNotify {
  private static final Logger logger = LoggerFactory.getLogger(SystemdNotify.class);

  private SystemdNotify() {}

  /**
   * Tells the service manager this process is the service's main process and ready: at start, and
   * after taking over from another agent ({@code NotifyAccess=all} lets it take the main role).
   *
   * @return whether a message was sent
   */
  public static boolean mainAndReady(Map<String, String> env) {
    long pid = ProcessHandle.current().pid();
    return send(env, "MAINPID=" + pid + "\nREADY=1\nSTATUS=serving (pid " + pid + ")\n");
  }

  /** Sends {@code state} to {@code NOTIFY_SOCKET}; false when unset or on failure (logged). */
  static boolean send(Map<String, String> env, String state) {
    String socket = env.get("NOTIFY_SOCKET");
    if (socket == null || socket.isEmpty()) {
      return false;
    }
    if (!socket.startsWith("/")) {
      logger.warn("NOTIFY_SOCKET {} is not a socket path (abstract sockets are not supported): the service manager is"
          + " not told this agent is ready", socket);
      return false;
    }
    EventLoopGroup group = HandOverWire.loop("sd-notify");
    try {
      Channel ch = new Bootstrap().group(group).channel(EpollDomainDatagramChannel.class)
          .handler(new ChannelInboundHandlerAdapter()).connect(new DomainSocketAddress(socket)).syncUninterruptibly().channel();
      ch.writeAndFlush(Unpooled.copiedBuffer(state, StandardCharsets.UTF_8)).syncUninterruptibly();
      ch.close().syncUninterruptibly();
      return true;
    } catch (RuntimeException e) {
      logger.warn("cannot notify the service manager on {}: {}", socket, e.toString());
      return false;
    } finally {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }
}
