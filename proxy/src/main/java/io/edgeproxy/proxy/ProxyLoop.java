package io.edgeproxy.proxy;

import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * What one I/O thread owns: the client connections it serves (for idle sweeps, drain and
 * counting) and a ready {@link Bootstrap} for its backend connects. Everything but {@link #size()}
 * and {@link #closeAll()} runs on the loop's own thread, so nothing here needs a lock.
 *
 * <p>Idle timeouts are a sweep per loop, not a timer per connection: a connection records the
 * loop's tick on every read in either direction, and the sweep closes those whose last tick is a
 * whole timeout old. A timer per connection costs a timer-queue insert and removal (and, with
 * io_uring, a submitted timeout) on every connection, which showed up at several percent of the
 * CPU of short connections.
 */
final class ProxyLoop {
  private final EventLoop loop;
  private final Bootstrap backendBootstrap;
  private final Set<ProxyConnection> open = new HashSet<>();
  private final HttpBackendPool httpPool = new HttpBackendPool();
  private final LoopDeadlines deadlines = new LoopDeadlines();
  private volatile int size;
  private long tick;

  ProxyLoop(EventLoop loop, NettyTransport transport, Duration connectTimeout) {
    this.loop = loop;
    this.backendBootstrap = new Bootstrap()
        .group(loop)
        .channel(transport.socketChannelClass())
        .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, connectTimeout.toMillis()))
        .option(ChannelOption.ALLOW_HALF_CLOSURE, true)
        .option(ChannelOption.TCP_NODELAY, true)
        .option(ChannelOption.RCVBUF_ALLOCATOR, NettyTransport.RECEIVE_SIZER)
        .handler(PausedAtStart.INSTANCE);
    loop.scheduleAtFixedRate(() -> httpPool.sweep(System.nanoTime()), 5, 5, TimeUnit.SECONDS);
    loop.scheduleAtFixedRate(() -> deadlines.sweep(System.nanoTime()), LoopDeadlines.SWEEP_MILLIS,
        LoopDeadlines.SWEEP_MILLIS, TimeUnit.MILLISECONDS);
  }

  /** Deadlines of HTTP mode on this loop. Loop thread only. */
  LoopDeadlines deadlines() {
    return deadlines;
  }

  /** Idle HTTP/1.1 connections to backends of apps in HTTP mode. Loop thread only. */
  HttpBackendPool httpPool() {
    return httpPool;
  }

  /** A backend channel reads nothing until the relay is in place (see ProxyChannelInitializer). */
  @ChannelHandler.Sharable
  private static final class PausedAtStart extends ChannelInitializer<Channel> {
    static final PausedAtStart INSTANCE = new PausedAtStart();

    @Override
    protected void initChannel(Channel ch) {
      ch.config().setAutoRead(false);
    }
  }

  /** Starts the idle sweep: connections with no traffic for {@code idleTimeout} are closed. */
  void sweepIdleEvery(Duration idleTimeout) {
    long period = Math.max(50, Math.min(1_000, idleTimeout.toMillis() / 4));
    // Activity is stamped with the tick current at the time, which may be nearly a period old:
    // one extra tick makes sure a connection is idle for at least the whole timeout.
    long ticksToIdle = Math.max(1, (idleTimeout.toMillis() + period - 1) / period) + 1;
    loop.scheduleAtFixedRate(() -> {
      tick++;
      List<ProxyConnection> idle = new ArrayList<>();
      for (ProxyConnection c : open) {
        if (tick - c.lastActiveTick() >= ticksToIdle) {
          idle.add(c);
        }
      }
      idle.forEach(ProxyConnection::closeIdle);
    }, period, period, TimeUnit.MILLISECONDS);
  }

  EventLoop eventLoop() {
    return loop;
  }

  Bootstrap backendBootstrap() {
    return backendBootstrap;
  }

  /** The current tick, to stamp activity with. Loop thread only. */
  long tick() {
    return tick;
  }

  /** Loop thread only. */
  void add(ProxyConnection connection) {
    open.add(connection);
    size = open.size();
  }

  /** Loop thread only. */
  void remove(ProxyConnection connection) {
    open.remove(connection);
    size = open.size();
  }

  /** Open connections; any thread. */
  int size() {
    return size;
  }

  /** Closes every open connection of this loop; any thread. */
  Future<?> closeAll() {
    return loop.submit(() -> {
      List.copyOf(open).forEach(ProxyConnection::closeNow);
      httpPool.closeAll();
    });
  }
}
