package io.edgeproxy.replication.net;

import io.edgeproxy.replication.protocol.PeerAddress;
import io.edgeproxy.replication.protocol.ReplicaRuntime;
import io.edgeproxy.replication.protocol.WarnOncePerMinute;
import io.edgeproxy.replication.tls.NodeCredentials;
import io.netty.channel.EventLoopGroup;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replication protocol's runtime in production: the system clock, timers that hand their work
 * to the node's one thread, and QUIC connections (blocking connects run on a separate pool so the
 * node's thread never waits for a handshake).
 */
public final class NettyRuntime implements ReplicaRuntime {
  private static final Logger logger = LoggerFactory.getLogger(NettyRuntime.class);

  private final EventLoopGroup io;
  private final NodeCredentials credentials;
  private final ExecutorService nodeThread;
  private final ScheduledExecutorService timer;
  private final ExecutorService connector;
  private final StreamEvents events;
  private final Runnable untrustedPeer;
  private final WarnOncePerMinute warnings = new WarnOncePerMinute(logger);

  /**
   * @param nodeThread the one thread the protocol runs on
   * @param untrustedPeer counts a connect that failed TLS (an untrusted or mismatched certificate)
   */
  public NettyRuntime(EventLoopGroup io, NodeCredentials credentials, ExecutorService nodeThread, ScheduledExecutorService timer,
      ExecutorService connector, StreamEvents events, Runnable untrustedPeer) {
    this.io = io;
    this.credentials = credentials;
    this.nodeThread = nodeThread;
    this.timer = timer;
    this.connector = connector;
    this.events = events;
    this.untrustedPeer = untrustedPeer;
  }

  @Override
  public long wallMillis() {
    return System.currentTimeMillis();
  }

  @Override
  public long nanoTime() {
    return System.nanoTime();
  }

  @Override
  public Cancellable schedule(long delayMillis, Runnable task) {
    try {
      var future = timer.schedule(() -> execute(task), delayMillis, TimeUnit.MILLISECONDS);
      return () -> future.cancel(false);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      return () -> { }; // shutting down
    }
  }

  @Override
  public void execute(Runnable task) {
    try {
      nodeThread.execute(task);
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // shutting down
    }
  }

  @Override
  public void connect(PeerAddress peer, Consumer<@Nullable Connection> done) {
    try {
      connector.execute(() -> {
        Connection connection = null;
        try {
          connection = QuicConnector.connect(io, peer, credentials, events, nodeThread);
        } catch (RuntimeException e) {
          if (isTlsFailure(e)) {
            untrustedPeer.run();
          }
          warnings.warn("connect:" + peer.nodeId(), e.getMessage() + "; retrying");
        }
        Connection result = connection;
        execute(() -> done.accept(result));
      });
    } catch (java.util.concurrent.RejectedExecutionException e) {
      // shutting down
    }
  }

  private static boolean isTlsFailure(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      if (t instanceof javax.net.ssl.SSLException) {
        return true;
      }
    }
    return false;
  }
}
