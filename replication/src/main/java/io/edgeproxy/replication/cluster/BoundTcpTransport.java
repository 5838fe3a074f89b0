package io.edgeproxy.replication.cluster;

import static java.util.Objects.requireNonNull;

import io.netty.channel.Channel;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.LengthFieldBasedFrameDecoder;
import io.netty.handler.codec.LengthFieldPrepender;
import io.scalecube.cluster.transport.api.Message;
import io.scalecube.cluster.transport.api.Transport;
import io.scalecube.cluster.transport.api.TransportConfig;
import io.scalecube.cluster.transport.api.TransportFactory;
import io.scalecube.transport.netty.Receiver;
import io.scalecube.transport.netty.Sender;
import io.scalecube.transport.netty.TransportImpl;
import reactor.core.publisher.Mono;
import reactor.netty.Connection;
import reactor.netty.DisposableServer;
import reactor.netty.tcp.TcpClient;
import reactor.netty.tcp.TcpServer;

/**
 * ScaleCube's TCP transport, listening on one host instead of every interface. ScaleCube 2.7.7's
 * {@code TcpTransportFactory} binds only a port (so the gossip listener answered on every
 * interface, whatever EDGEPROXY_REPLICATION_GOSSIP_ADDR said); this one binds {@code host:port} and
 * is otherwise the same: the same frames (a 4-byte length before each message), socket options and
 * codec, so it speaks with nodes running the stock transport.
 */
final class BoundTcpTransport implements TransportFactory {
  /** The length before each frame, as ScaleCube's {@code TcpChannelInitializer} writes it. */
  private static final int LENGTH_FIELD = 4;

  private final String host;

  /**
   * {@code host}: an IP literal or name to listen on; {@code 0.0.0.0} or {@code ::} for every
   * interface, IPv4 and IPv6 (the stock transport's wildcard).
   */
  BoundTcpTransport(String host) {
    this.host = requireNonNull(host, "host");
  }

  @Override
  public Transport createTransport(TransportConfig config) {
    return new TransportImpl(config.messageCodec(), new BoundReceiver(config, host), new FramedSender(config), config.addressMapper());
  }

  private static void frames(Channel channel, int maxFrameLength) {
    channel.pipeline().addFirst(new LengthFieldBasedFrameDecoder(maxFrameLength, 0, LENGTH_FIELD, 0, LENGTH_FIELD));
    channel.pipeline().addFirst(new LengthFieldPrepender(LENGTH_FIELD));
  }

  private record BoundReceiver(TransportConfig config, String host) implements Receiver {
    @Override
    public Mono<DisposableServer> bind() {
      return Mono.deferContextual(context -> Mono.just(context.get(TransportImpl.ReceiverContext.class)))
          .flatMap(context -> server(context)
              .childOption(ChannelOption.TCP_NODELAY, true)
              .childOption(ChannelOption.SO_KEEPALIVE, true)
              .childOption(ChannelOption.SO_REUSEADDR, true)
              .doOnChannelInit((observer, channel, remote) -> frames(channel, config.maxFrameLength()))
              .handle((in, out) -> in.receive().retain().doOnNext(context::onMessage).then())
              .bind()
              .cast(DisposableServer.class));
    }

    private TcpServer server(TransportImpl.ReceiverContext context) {
      TcpServer server = TcpServer.create().runOn(context.loopResources());
      boolean everywhere = host.equals("0.0.0.0") || host.equals("::") || host.equals("[::]");
      return everywhere ? server.bindAddress(() -> new java.net.InetSocketAddress(config.port())) : server.host(host).port(config.port());
    }
  }

  private record FramedSender(TransportConfig config) implements Sender {
    @Override
    public Mono<Connection> connect(String address) {
      return Mono.deferContextual(context -> Mono.just(context.get(TransportImpl.SenderContext.class)))
          .flatMap(context -> TcpClient.newConnection()
              .runOn(context.loopResources())
              .host(Transport.parseHost(address))
              .port(Transport.parsePort(address))
              .option(ChannelOption.TCP_NODELAY, true)
              .option(ChannelOption.SO_KEEPALIVE, true)
              .option(ChannelOption.SO_REUSEADDR, true)
              .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, config.connectTimeout())
              .doOnChannelInit((observer, channel, remote) -> frames(channel, config.maxFrameLength()))
              .connect());
    }

    @Override
    public Mono<Void> send(Message message) {
      return Mono.deferContextual(context -> {
        Connection connection = context.get(Connection.class);
        TransportImpl.SenderContext sender = context.get(TransportImpl.SenderContext.class);
        return connection.outbound().sendObject(Mono.just(message).map(sender.messageEncoder()), any -> true).then();
      });
    }
  }
}
