package io.edgeproxy.replication.net;

import io.edgeproxy.replication.protocol.PeerAddress;
import io.edgeproxy.replication.protocol.ReplicaRuntime;
import io.edgeproxy.replication.tls.NodeCredentials;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import java.net.InetSocketAddress;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;

/**
 * Client connections of the change-stream: QUIC with TLS 1.3, the server's certificate checked
 * against the cluster CA and for the node id membership says it is (as the TLS host name).
 */
final class QuicConnector {
  static final int CONNECT_TIMEOUT_SECONDS = 3;

  private QuicConnector() {}

  /**
   * Connects to {@code peer}. Blocks up to {@link #CONNECT_TIMEOUT_SECONDS} (a handshake takes a few
   * round trips; an attempt caught by a partition is retried fresh, not left to QUIC's growing
   * retransmission delay, so a healed link is used again within seconds).
   *
   * @throws IllegalStateException when the connection or handshake fails (untrusted certificate,
   *     wrong node, nothing listening)
   */
  static ReplicaRuntime.Connection connect(EventLoopGroup group, PeerAddress peer, NodeCredentials credentials,
      StreamEvents events, Executor nodeThread) {
    QuicSslContext ssl = credentials.clientContext();
    InetSocketAddress address = peer.streamAddress();
    var codec = new QuicClientCodecBuilder()
        .sslEngineProvider(q -> ssl.newEngine(q.alloc(), peer.nodeId(), address.getPort())) // verifies the peer's node id
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
          .connect().get(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
      connection.closeFuture().addListener(f -> udp.close());
      return new Connection(peer.nodeId(), connection, udp, events, nodeThread);
    } catch (Exception e) {
      udp.close();
      Throwable cause = e instanceof java.util.concurrent.ExecutionException && e.getCause() != null ? e.getCause() : e;
      throw new IllegalStateException("cannot connect to " + peer.nodeId() + " at " + address + ": " + cause.getMessage(), cause);
    }
  }

  private record Connection(String peer, QuicChannel quic, Channel udp, StreamEvents events, Executor nodeThread)
      implements ReplicaRuntime.Connection {
    @Override
    public ReplicaRuntime.Stream openStream() {
      QuicStreamChannel stream = quic.createStream(QuicStreamType.BIDIRECTIONAL, new ChannelInitializer<QuicStreamChannel>() {
        @Override
        protected void initChannel(QuicStreamChannel ch) {
          Frames.install(ch.pipeline());
          ch.pipeline().addLast(new StreamHandler(new NettyStream(ch, peer, nodeThread), events, nodeThread, false));
        }
      }).syncUninterruptibly().getNow();
      return stream.pipeline().get(StreamHandler.class).stream();
    }

    @Override
    public boolean isOpen() {
      return quic.isActive();
    }

    @Override
    public void close() {
      quic.close();
      udp.close();
    }
  }
}
