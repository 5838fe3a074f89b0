package io.edgeproxy.replication.net;

import io.edgeproxy.replication.tls.NodeCredentials;
import io.edgeproxy.replication.wire.Envelope;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.nio.NioDatagramChannel;
import io.netty.handler.codec.quic.QuicChannel;
import io.netty.handler.codec.quic.QuicClientCodecBuilder;
import io.netty.handler.codec.quic.QuicSslContext;
import io.netty.handler.codec.quic.QuicStreamChannel;
import io.netty.handler.codec.quic.QuicStreamType;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * A peer that speaks the change-stream by hand, with a real member's certificate: for tests of how
 * a POP answers messages its own code would never send (another protocol version, a false
 * identity, garbage). One stream at a time.
 */
final class RawPeer implements AutoCloseable {
  private final EventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
  private final Channel udp;
  private final QuicChannel connection;

  RawPeer(Path tls, String as, String to, InetSocketAddress address) throws Exception {
    QuicSslContext ssl = NodeCredentials.load(tls, as, null).clientContext();
    var codec = new QuicClientCodecBuilder().sslEngineProvider(q -> ssl.newEngine(q.alloc(), to, address.getPort()))
        .maxIdleTimeout(10, TimeUnit.SECONDS).initialMaxData(1 << 24).initialMaxStreamDataBidirectionalLocal(1 << 24)
        .initialMaxStreamDataBidirectionalRemote(1 << 24).initialMaxStreamsBidirectional(16).build();
    udp = new Bootstrap().group(group).channel(NioDatagramChannel.class).handler(codec).bind(0).sync().channel();
    connection = QuicChannel.newBootstrap(udp).handler(new ChannelInboundHandlerAdapter())
        .streamHandler(new ChannelInboundHandlerAdapter()).remoteAddress(address).connect().get(10, TimeUnit.SECONDS);
  }

  /** A stream whose received envelopes land in the returned queue. */
  Stream open() throws Exception {
    BlockingQueue<Envelope> received = new LinkedBlockingQueue<>();
    QuicStreamChannel stream = connection.createStream(QuicStreamType.BIDIRECTIONAL, new ChannelInitializer<QuicStreamChannel>() {
      @Override
      protected void initChannel(QuicStreamChannel ch) {
        Frames.install(ch.pipeline());
        ch.pipeline().addLast(new SimpleChannelInboundHandler<Envelope>() {
          @Override
          protected void channelRead0(ChannelHandlerContext ctx, Envelope e) {
            received.add(e);
          }
        });
      }
    }).get(10, TimeUnit.SECONDS);
    return new Stream(stream, received);
  }

  /** One stream: send envelopes or raw bytes, take what comes back. */
  record Stream(QuicStreamChannel channel, BlockingQueue<Envelope> received) {
    void send(Envelope envelope) throws Exception {
      channel.writeAndFlush(envelope).sync();
    }

    void sendRaw(byte[] bytes) throws Exception {
      channel.writeAndFlush(Unpooled.wrappedBuffer(bytes)).sync();
    }

    Envelope next() throws InterruptedException {
      Envelope e = received.poll(10, TimeUnit.SECONDS);
      if (e == null) {
        throw new AssertionError("nothing received within 10 s");
      }
      return e;
    }
  }

  @Override
  public void close() {
    connection.close();
    udp.close();
    group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
