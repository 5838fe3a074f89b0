package io.edgeproxy.replication.stream;

import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.replication.tls.NodeCredentials;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * This node's QUIC connection to one peer: a long-lived push stream for new changes and
 * heartbeats, and a new stream per anti-entropy session. The server's certificate must be the
 * cluster CA's and name the peer's node id (checked as the TLS host name). Thread-safe.
 */
public final class PeerLink implements AutoCloseable {
  private final String peer;
  private final InetSocketAddress address;
  private final Channel udp;
  private final QuicChannel connection;
  private final ChangeStreamHandler push;
  private final ReplicaEndpoint replica;

  private PeerLink(String peer, InetSocketAddress address, Channel udp, QuicChannel connection, ChangeStreamHandler push,
      ReplicaEndpoint replica) {
    this.peer = peer;
    this.address = address;
    this.udp = udp;
    this.connection = connection;
    this.push = push;
    this.replica = replica;
  }

  /**
   * Connects to {@code peer} at {@code address} and opens the push stream. Blocks up to the timeout.
   *
   * @throws IllegalStateException when the connection or handshake fails (untrusted certificate,
   *     wrong node, nothing listening)
   */
  public static PeerLink connect(EventLoopGroup group, String peer, InetSocketAddress address, NodeCredentials credentials,
      ReplicaEndpoint replica) {
    QuicSslContext ssl = credentials.clientContext();
    var codec = new QuicClientCodecBuilder()
        .sslEngineProvider(q -> ssl.newEngine(q.alloc(), peer, address.getPort())) // verifies the peer's node id
        .maxIdleTimeout(30, TimeUnit.SECONDS)
        .initialMaxData(64L << 20)
        .initialMaxStreamDataBidirectionalLocal(16L << 20)
        .initialMaxStreamDataBidirectionalRemote(16L << 20)
        .initialMaxStreamsBidirectional(256)
        .build();
    Channel udp = new Bootstrap().group(group).channel(NioDatagramChannel.class).handler(codec)
        .bind(new InetSocketAddress(0)).syncUninterruptibly().channel();
    try {
      QuicChannel connection = QuicChannel.newBootstrap(udp)
          .handler(new ChannelInboundHandlerAdapter())
          .streamHandler(new ChannelInboundHandlerAdapter())
          .remoteAddress(address)
          .connect().get(10, TimeUnit.SECONDS);
      ChangeStreamHandler push = new ChangeStreamHandler(replica, ChangeStreamHandler.Role.PUSH, peer, null);
      openStream(connection, push).get(10, TimeUnit.SECONDS);
      return new PeerLink(peer, address, udp, connection, push, replica);
    } catch (Exception e) {
      udp.close();
      Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException("cannot connect to " + peer + " at " + address + ": " + cause.getMessage(), cause);
    }
  }

  private static Future<QuicStreamChannel> openStream(QuicChannel connection, ChangeStreamHandler handler) {
    return connection.createStream(QuicStreamType.BIDIRECTIONAL, new io.netty.channel.ChannelInitializer<QuicStreamChannel>() {
      @Override
      protected void initChannel(QuicStreamChannel stream) {
        Frames.install(stream.pipeline());
        stream.pipeline().addLast(handler);
      }
    });
  }

  public String peer() {
    return peer;
  }

  public InetSocketAddress address() {
    return address;
  }

  public boolean isActive() {
    return connection.isActive();
  }

  /** Ships new local changes. Non-blocking. */
  public void push(List<RowChange> changes) {
    push.push(changes);
  }

  /** Writes raw bytes on a new stream: for tests of how a peer copes with garbage. */
  void sendRaw(byte[] bytes) throws Exception {
    QuicStreamChannel stream = connection.createStream(QuicStreamType.BIDIRECTIONAL, new ChannelInboundHandlerAdapter())
        .get(10, TimeUnit.SECONDS);
    stream.writeAndFlush(io.netty.buffer.Unpooled.wrappedBuffer(bytes)).sync();
  }

  /** Sends a heartbeat Hello with our newest version. Non-blocking. */
  public void heartbeat() {
    push.heartbeat();
  }

  /**
   * True while the peer has not acknowledged every change pushed to it (and has acknowledged
   * something within the last 10 s): anti-entropy with it now would send those changes twice.
   */
  public boolean pushInFlight() {
    return push.pushInFlight(PUSH_STALLED_NANOS);
  }

  private static final long PUSH_STALLED_NANOS = TimeUnit.SECONDS.toNanos(10);

  /**
   * Runs one anti-entropy session with the peer; the future completes when both sides are done.
   * With {@code empty} (this replica holds no rows yet) the peer sends every row it holds.
   */
  public Future<SyncResult> sync(boolean empty) {
    Promise<SyncResult> result = connection.eventLoop().newPromise();
    openStream(connection, new ChangeStreamHandler(replica, ChangeStreamHandler.Role.SYNC, peer, result, empty))
        .addListener(f -> {
          if (!f.isSuccess()) {
            result.tryFailure(f.cause());
          }
        });
    return result;
  }

  @Override
  public void close() {
    connection.close();
    udp.close();
  }

}
