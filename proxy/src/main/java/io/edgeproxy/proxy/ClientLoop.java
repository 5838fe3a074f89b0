package io.edgeproxy.proxy;

import io.edgeproxy.tunnel.Tunnel;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
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

  /** A tunnel stream not opened within the connect timeout. */
  static final class OpenTimeout extends ConnectTimeoutException {
    OpenTimeout(String message) {
      super(message);
    }
  }

  /**
   * True when a tunnel stream failed for a reason that says nothing against the tunnel: it is full
   * ({@link Tunnel.FullException}), or the open timed out, which a full tunnel waiting for stream
   * credit and a holding POP that just died look the same as. The next backend is tried, and the
   * tunnel is not ejected: credit comes back, and a dead POP's tunnel rows lapse with their lease.
   */
  static boolean notHeldAgainst(@Nullable Throwable cause) {
    return cause instanceof Tunnel.FullException || cause instanceof OpenTimeout;
  }

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
   * Not done within {@code timeout} (the proxy's connect timeout: a POP killed while holding the
   * tunnel answers nothing until its connection times out), it fails as a connect would, and a
   * stream that comes after that is closed.
   */
  static void whenDone(Future<Channel> opening, EventLoop loop, Duration timeout,
      BiConsumer<@Nullable Channel, @Nullable Throwable> then) {
    boolean[] settled = new boolean[1]; // loop thread only
    @Nullable ScheduledFuture<?> timer = timeout.isZero() || timeout.isNegative() ? null : loop.schedule(() -> {
      if (!settled[0]) {
        settled[0] = true;
        then.accept(null, new OpenTimeout("no stream through the device tunnel within " + timeout.toMillis() + " ms"));
      }
    }, timeout.toMillis(), TimeUnit.MILLISECONDS);
    opening.addListener(f -> {
      Channel channel = f.isSuccess() ? (Channel) f.getNow() : null;
      Runnable deliver = () -> {
        if (settled[0]) {
          if (channel != null) {
            channel.close(); // too late: the client has moved on
          }
          return;
        }
        settled[0] = true;
        if (timer != null) {
          timer.cancel(false);
        }
        then.accept(channel, f.cause());
      };
      if (loop.inEventLoop()) {
        deliver.run();
      } else {
        loop.execute(deliver);
      }
    });
  }
}
