package io.edgeproxy.replication.net;

import io.edgeproxy.replication.tls.NodeCredentials;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.socket.nio.NioDatagramChannel;

import io.netty.handler.codec.quic.QuicChannel;
import io.edgeproxy.tunnel.HmacTokenHandler;
import io.netty.handler.codec.quic.QuicServerCodecBuilder;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/**
 * The QUIC listener of the change-stream. TLS 1.3 with mutual authentication: a client must
 * present a certificate of the cluster CA, whose common name becomes the peer's node id for
 * every stream of the connection.
 */
public final class ChangeStreamServer implements AutoCloseable {
  private final Channel channel;

  private ChangeStreamServer(Channel channel) {
    this.channel = channel;
  }

  /** Binds {@code address}; blocks until bound. Streams peers open go to {@code events} on {@code nodeThread}. */
  public static ChangeStreamServer bind(EventLoopGroup group, InetSocketAddress address, NodeCredentials credentials,
      StreamEvents events, java.util.concurrent.Executor nodeThread) {
    return bind(group, address, credentials, events, nodeThread, RelayAcceptor.NONE);
  }

  /** As above; streams of relay connections ({@link NodeCredentials#RELAY_ALPN}) go to {@code relays}. */
  public static ChangeStreamServer bind(EventLoopGroup group, InetSocketAddress address, NodeCredentials credentials,
      StreamEvents events, java.util.concurrent.Executor nodeThread, RelayAcceptor relays) {
    var codec = new QuicServerCodecBuilder()
        .sslContext(credentials.serverContext())
        .maxIdleTimeout(30, TimeUnit.SECONDS)
        .initialMaxData(64L << 20)
        .initialMaxStreamDataBidirectionalLocal(16L << 20)
        .initialMaxStreamDataBidirectionalRemote(16L << 20)
        .initialMaxStreamsBidirectional(4096) // a relay connection carries a stream per relayed client
        .tokenHandler(new HmacTokenHandler())
        .handler(new HandshakeWatcher(events))
        .streamHandler(new ChannelInitializer<QuicStreamChannel>() {
          @Override
          protected void initChannel(QuicStreamChannel stream) {
            String peer = PeerIdentity.of((QuicChannel) stream.parent());
            if (peer == null) {
              events.refused(String.valueOf(stream.parent().remoteAddress()), "no verified certificate");
              stream.close();
              return;
            }
            if (NodeCredentials.RELAY_ALPN.equals(((QuicChannel) stream.parent()).sslEngine().getApplicationProtocol())) {
              relays.accept(stream, peer);
              return;
            }
            Frames.install(stream.pipeline());
            stream.pipeline().addLast(new StreamHandler(new NettyStream(stream, peer, nodeThread), events, nodeThread, true));
          }
        })
        .build();
    Channel channel = new Bootstrap().group(group).channel(NioDatagramChannel.class).handler(codec)
        .bind(address).syncUninterruptibly().channel();
    return new ChangeStreamServer(channel);
  }

  /** One per listener, added to every connection: counts failed handshakes (untrusted certificates). */
  @ChannelHandler.Sharable
  private static final class HandshakeWatcher extends ChannelInboundHandlerAdapter {
    private final StreamEvents events;

    HandshakeWatcher(StreamEvents events) {
      this.events = events;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object evt) {
      if (evt instanceof SslHandshakeCompletionEvent e && !e.isSuccess()) {
        events.refused(String.valueOf(ctx.channel().remoteAddress()), "TLS handshake failed: " + e.cause().getMessage());
      }
      ctx.fireUserEventTriggered(evt);
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
      ctx.close();
    }
  }

  public InetSocketAddress address() {
    return (InetSocketAddress) channel.localAddress();
  }

  @Override
  public void close() {
    channel.close().syncUninterruptibly();
  }
}
