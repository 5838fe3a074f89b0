package io.edgeproxy.proxy;

import io.edgeproxy.core.routing.Backend;
import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;

/**
 * How the proxy reaches a backend that is a device tunnel: a new stream through the tunnel, reads
 * paused and half-closure allowed, as a connected backend socket would be. The stream lives on its
 * tunnel's event loop, not the client's: the proxy binds the handlers it adds to the client's loop
 * ({@link ClientLoop}).
 */
@FunctionalInterface
public interface TunnelStreams {
  /** No tunnels on this POP: every tunnel backend fails to connect (and the next backend is tried). */
  TunnelStreams NONE = backend -> ImmediateEventExecutor.INSTANCE.newFailedFuture(
      new IllegalStateException("this POP serves no device tunnels (EDGEPROXY_TUNNEL_ENABLED is off)"));

  /** A stream to the tunnel {@code backend} is; fails when this POP does not hold that tunnel or it is full. */
  Future<Channel> open(Backend backend);
}
