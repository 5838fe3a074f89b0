package io.edgeproxy.proxy.health;

import io.edgeproxy.core.geo.SocketAddresses;
import io.edgeproxy.core.routing.HealthCheck;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.EventLoop;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;
import io.netty.util.concurrent.ScheduledFuture;
import java.net.InetSocketAddress;
import java.util.Locale;
import java.util.concurrent.TimeUnit;

/**
 * Runs one probe of a backend on the checker's event loop: a TCP connect (passes once connected),
 * or an HTTP GET (passes on a 2xx/3xx status line). Either way the whole probe, connect included,
 * is bounded by the check's timeout, and the connection is closed when the verdict is in.
 * Non-blocking; no thread per probe.
 */
final class HealthProbe {
  /** A TCP probe reads nothing; whatever a backend sends before the close is released by the pipeline's tail. */
  @ChannelHandler.Sharable
  private static final class ConnectOnly extends ChannelInboundHandlerAdapter {
    static final ConnectOnly INSTANCE = new ConnectOnly();
  }

  private final EventLoop loop;
  private final Bootstrap bootstrap;

  HealthProbe(EventLoop loop) {
    this.loop = loop;
    this.bootstrap = new Bootstrap()
        .group(loop)
        .channel(NioSocketChannel.class)
        .option(ChannelOption.TCP_NODELAY, true);
  }

  /** Starts a probe; the future completes on the event loop, never exceptionally. Any thread. */
  Future<ProbeResult> run(InetSocketAddress address, HealthCheck check) {
    Promise<ProbeResult> result = loop.newPromise();
    int timeoutMillis = (int) Math.min(Integer.MAX_VALUE, check.timeout().toMillis());
    boolean http = check.type() == HealthCheck.Type.HTTP;
    ChannelHandler handler = http
        ? new HttpStatusLineHandler(HttpStatusLineHandler.request(check.path(), SocketAddresses.format(address)), result)
        : ConnectOnly.INSTANCE;
    ChannelFuture connect = bootstrap.clone()
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, timeoutMillis)
        .handler(handler)
        .connect(address);
    Channel channel = connect.channel();
    ScheduledFuture<?> deadline = loop.schedule(() -> result.trySuccess(new ProbeResult.Failed(channel.isActive()
        ? "timeout (no HTTP status line within " + timeoutMillis + " ms)"
        : "timeout (connect, " + timeoutMillis + " ms)")), timeoutMillis, TimeUnit.MILLISECONDS);
    connect.addListener((ChannelFuture f) -> {
      if (!f.isSuccess()) {
        result.trySuccess(new ProbeResult.Failed(f.cause() instanceof ConnectTimeoutException
            ? "timeout (connect, " + timeoutMillis + " ms)"
            : describe(f.cause())));
      } else if (!http) {
        result.trySuccess(new ProbeResult.Passed("connected"));
      }
    });
    result.addListener(f -> {
      deadline.cancel(false);
      channel.close();
    });
    return result;
  }

  /** A short, operator-facing reason for a connect or read failure: "refused", "reset", ... */
  static String describe(Throwable cause) {
    String message = cause.getMessage() == null ? "" : cause.getMessage();
    String lower = message.toLowerCase(Locale.ROOT);
    if (lower.contains("refused")) {
      return "refused";
    }
    if (lower.contains("reset")) {
      return "reset";
    }
    if (lower.contains("no route")) {
      return "no route to host";
    }
    if (lower.contains("unreachable")) {
      return "network unreachable";
    }
    return cause.getClass().getSimpleName() + (message.isEmpty() ? "" : ": " + message);
  }
}
