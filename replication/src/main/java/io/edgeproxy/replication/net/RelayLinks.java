package io.edgeproxy.replication.net;

import io.edgeproxy.replication.protocol.PeerAddress;
import io.edgeproxy.replication.tls.NodeCredentials;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
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
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Connections to other POPs' change-stream listeners for relaying client connections to the device
 * tunnels they hold: the same mutual TLS (cluster CA, the peer's node id checked) under ALPN
 * {@link NodeCredentials#RELAY_ALPN}. One connection per peer, made on first use and kept while it
 * lives; a stream per relayed connection.
 */
public final class RelayLinks implements AutoCloseable {
  private static final long CONNECT_TIMEOUT_MS = 3_000;

  private final EventLoopGroup group;
  private final QuicSslContext ssl;
  private final Map<String, Future<QuicChannel>> links = new ConcurrentHashMap<>();

  public RelayLinks(EventLoopGroup group, NodeCredentials credentials) {
    this.group = group;
    this.ssl = credentials.relayClientContext();
  }

  /** A new stream to {@code peer}, set up by {@code init} (on its loop) before anything is read. */
  public Future<Channel> open(PeerAddress peer, Consumer<Channel> init) {
    Promise<Channel> opened = group.next().newPromise();
    connection(peer).addListener(f -> {
      if (!f.isSuccess()) {
        opened.tryFailure(new IllegalStateException("cannot reach POP " + peer.nodeId() + " to relay: " + f.cause().getMessage(),
            f.cause()));
        return;
      }
      ((QuicChannel) f.getNow()).createStream(QuicStreamType.BIDIRECTIONAL, new ChannelInitializer<QuicStreamChannel>() {
        @Override
        protected void initChannel(QuicStreamChannel stream) {
          init.accept(stream);
        }
      }).addListener(s -> {
        if (s.isSuccess()) {
          opened.trySuccess((Channel) s.getNow());
        } else {
          opened.tryFailure(s.cause());
        }
      });
    });
    return opened;
  }

  private Future<QuicChannel> connection(PeerAddress peer) {
    return links.compute(peer.nodeId(), (id, existing) -> existing != null
        && (!existing.isDone() || (existing.isSuccess() && existing.getNow().isActive())) ? existing : connect(peer));
  }

  private Future<QuicChannel> connect(PeerAddress peer) {
    InetSocketAddress address = peer.streamAddress();
    Promise<QuicChannel> connected = group.next().newPromise();
    var codec = new QuicClientCodecBuilder()
        .sslEngineProvider(q -> ssl.newEngine(q.alloc(), peer.nodeId(), address.getPort())) // verifies the peer's node id
        .maxIdleTimeout(30, TimeUnit.SECONDS)
        .initialMaxData(64L << 20)
        .initialMaxStreamDataBidirectionalLocal(1 << 20)
        .initialMaxStreamDataBidirectionalRemote(1 << 20)
        .initialMaxStreamsBidirectional(0) // the peer opens no stream on this connection
        .build();
    new Bootstrap().group(group).channel(NioDatagramChannel.class).handler(codec).bind(new InetSocketAddress(0))
        .addListener((ChannelFutureListener) bound -> {
          if (!bound.isSuccess()) {
            connected.tryFailure(bound.cause());
            return;
          }
          Channel udp = bound.channel();
          Future<QuicChannel> handshake = QuicChannel.newBootstrap(udp)
              .handler(new ChannelInboundHandlerAdapter())
              .streamHandler(new ChannelInboundHandlerAdapter())
              .remoteAddress(address)
              .connect();
          udp.eventLoop().schedule(() -> handshake.cancel(false), CONNECT_TIMEOUT_MS, TimeUnit.MILLISECONDS);
          handshake.addListener(h -> {
            if (h.isSuccess()) {
              QuicChannel quic = (QuicChannel) h.getNow();
              quic.closeFuture().addListener(c -> udp.close());
              connected.trySuccess(quic);
            } else {
              udp.close();
              connected.tryFailure(h.isCancelled()
                  ? new IllegalStateException("no answer from " + address + " within " + CONNECT_TIMEOUT_MS + " ms") : h.cause());
            }
          });
        });
    return connected;
  }

  @Override
  public void close() {
    links.values().forEach(f -> {
      if (f.isSuccess()) {
        f.getNow().close();
      }
    });
    links.clear();
  }
}
