package io.edgeproxy.proxy;

import io.edgeproxy.core.routing.BackendLoad;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandler;
import io.netty.util.ReferenceCountUtil;
import java.util.ArrayDeque;
import org.jspecify.annotations.Nullable;

/**
 * A connection the backend upgraded (101: a WebSocket, say) becomes a byte relay, as the L4 path:
 * the 101 goes to the client, the HTTP encoders leave first, so no raw byte meets one; then the
 * decoders, whose leftovers {@link HttpUnwrap} turns back into plain bytes.
 */
final class UpgradedRelay {
  private UpgradedRelay() {}

  /**
   * @param front the client's HTTP handler, which leaves the pipeline
   * @param queued what the client sent before the 101 (released: not the upgraded protocol's bytes)
   */
  static void start(ChannelHandlerContext ctx, ChannelHandler front, HttpResponse switching, Channel backend, BackendLoad load,
      ProxyConnection connection, @Nullable SslHandler tls, ArrayDeque<Object> queued) {
    Channel client = ctx.channel();
    ctx.write(switching, ctx.voidPromise());
    ctx.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT, ctx.voidPromise());
    ((HttpServerCodec) client.pipeline().get(HttpFrontHandler.CODEC)).removeOutboundHandler();
    ((HttpClientCodec) backend.pipeline().get(HttpBackendHandler.CODEC)).removeOutboundHandler();
    connection.backendConnected(backend);
    if (tls != null) {
      client.closeFuture().addListener(x -> RelayHandler.Relays.flushAndClose(backend, null));
    }
    queued.forEach(ReferenceCountUtil::release); // sent before the 101: not the upgraded protocol's bytes
    queued.clear();
    client.pipeline().addLast("unwrap", HttpUnwrap.INSTANCE)
        .addLast("relay", new RelayHandler(backend, null, connection, load::addBytesToBackend));
    client.pipeline().remove(front);
    if (client.pipeline().get(HttpFrontHandler.CONTINUE) != null) {
      client.pipeline().remove(HttpFrontHandler.CONTINUE);
    }
    client.pipeline().remove(HttpFrontHandler.CODEC);
    ClientLoop.addLast(backend, client.eventLoop(), "unwrap", HttpUnwrap.INSTANCE);
    ClientLoop.addLast(backend, client.eventLoop(), "relay", new RelayHandler(client, tls, connection, load::addBytesFromBackend));
    backend.pipeline().remove(HttpBackendHandler.NAME);
    backend.pipeline().remove(HttpBackendHandler.CODEC);
    backend.flush();
    client.flush();
    client.config().setAutoRead(true);
    backend.config().setAutoRead(true);
  }
}
