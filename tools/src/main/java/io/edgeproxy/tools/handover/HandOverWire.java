package io.edgeproxy.tools.handover;

import io.netty.channel.Channel;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollDomainSocketChannel;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.handler.codec.LineBasedFrameDecoder;
import io.netty.handler.codec.string.StringDecoder;
import io.netty.handler.codec.string.StringEncoder;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What both ends of a hand-over share: the socket's place, the framing (one line of text per
 * message; descriptors travel as SCM_RIGHTS messages of their own), and the check that the other
 * end runs as the same user.
 *
 * <pre>
 * new agent                          running agent
 * HELLO &lt;pid&gt;                   -&gt;
 *                                &lt;-  READY pid=&lt;pid&gt; dns=&lt;address or -&gt; udp=&lt;UDP sockets&gt; node=&lt;node id or -&gt;
 *                                    tunnels=&lt;its QUIC ids' generation, -1 for none&gt;
 *                                    (or REFUSED &lt;why&gt;; fields this end does not know are ignored)
 * DNS                            -&gt;
 *                                &lt;-  the UDP sockets' descriptors, then the TCP listener's
 * MOVE                           -&gt;  (asks its device agents to reconnect: the new agent answers them)
 *                                &lt;-  MOVING &lt;agents asked&gt;
 * LEAVE                          -&gt;  (stops accepting, leaves the cluster, closes its exclusive ports, unlocks)
 *                                &lt;-  RELEASED  (or FAILED &lt;why&gt;)
 * DONE                           -&gt;  (drains its open connections and exits 0)
 * STATUS                         -&gt;  (any time, any client)
 *                                &lt;-  SERVING &lt;pid&gt;
 * </pre>
 */
final class HandOverWire {
  private HandOverWire() {}

  static final int MAX_LINE = 512;

  /** {@code <routing.db>.handover}: beside the data directory's lock. */
  static Path socketOf(Path routingDb) {
    return Path.of(routingDb.toAbsolutePath() + ".handover");
  }

  static void frame(ChannelPipeline pipeline) {
    pipeline.addLast(new LineBasedFrameDecoder(MAX_LINE), new StringDecoder(StandardCharsets.UTF_8),
        new StringEncoder(StandardCharsets.UTF_8));
  }

  /** One epoll I/O thread: Unix sockets that carry descriptors are epoll's alone in Netty. */
  static EventLoopGroup loop(String name) {
    if (!Epoll.isAvailable()) {
      throw new IllegalStateException("the hand-over needs native epoll, which is not available here: "
          + Epoll.unavailabilityCause());
    }
    return new MultiThreadIoEventLoopGroup(1, new DefaultThreadFactory(name, true), EpollIoHandler.newFactory());
  }

  /** This process's user id. */
  static int ownUid() {
    try {
      return (Integer) Files.getAttribute(Path.of("/proc/self"), "unix:uid");
    } catch (IOException | RuntimeException e) {
      throw new IllegalStateException("cannot read this process's user id from /proc/self: " + e.getMessage(), e);
    }
  }

  /** Null when the other end of {@code channel} runs as this process's user (or as root); else why it may not talk. */
  static @org.jspecify.annotations.Nullable String strangerOn(Channel channel) {
    try {
      int uid = ((EpollDomainSocketChannel) channel).peerCredentials().uid();
      int own = ownUid();
      return uid == own || uid == 0 ? null : "the other end runs as user id " + uid + ", this agent as " + own;
    } catch (IOException e) {
      return "cannot read the other end's credentials: " + e.getMessage();
    }
  }
}
