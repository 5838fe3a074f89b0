package io.edgeproxy.proxy;

import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * Every handler of one proxied connection runs on its client's event loop. A backend channel is
 * normally on that loop already; a device tunnel's stream lives on its tunnel's loop, and the
 * handlers the proxy adds to it are bound to the client's loop instead (Netty then runs them
 * there), so relays and HTTP exchanges never see two threads.
 */
final class ClientLoop {
  private ClientLoop() {}

  /** Adds {@code handler} last to {@code backend}'s pipeline, to run on {@code loop}. */
  static void addLast(Channel backend, EventLoop loop, String name, ChannelHandler handler) {
    if (backend.eventLoop() == loop) {
      backend.pipeline().addLast(name, handler);
    } else {
      backend.pipeline().addLast(loop, name, handler);
    }
  }

  /**
   * Hands the outcome of {@code opening} (a channel, or why not) to {@code then} on {@code loop}:
   * a tunnel stream completes on its tunnel's loop, and the caller's state is its client's loop's.
   */
  static void whenDone(Future<Channel> opening, EventLoop loop, BiConsumer<@Nullable Channel, @Nullable Throwable> then) {
    opening.addListener(f -> {
      Channel channel = f.isSuccess() ? (Channel) f.getNow() : null;
      if (loop.inEventLoop()) {
        then.accept(channel, f.cause());
      } else {
        loop.execute(() -> then.accept(channel, f.cause()));
      }
    });
  }
}
