package io.edgeproxy.proxy;

import io.netty.channel.Channel;
import java.net.InetSocketAddress;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;

/**
 * One I/O thread's idle HTTP/1.1 connections to backends, by backend address, for apps in HTTP
 * mode: a request takes the most recently used one (warm, least likely to have been closed by the
 * backend's own idle timeout) and gives it back when its exchange ends cleanly. At most
 * {@link #MAX_IDLE_PER_BACKEND} wait per backend; one idle longer than {@link #MAX_IDLE_NANOS} is
 * closed. A pooled connection the backend closes leaves the pool at once. Loop thread only.
 */
final class HttpBackendPool {
  static final int MAX_IDLE_PER_BACKEND = 512;
  static final long MAX_IDLE_NANOS = 30_000_000_000L;

  private record Idle(Channel channel, long sinceNanos) {}

  private final Map<InetSocketAddress, ArrayDeque<Idle>> idle = new HashMap<>();

  /** A live idle connection to {@code backend}, or null. */
  Channel take(InetSocketAddress backend, long nowNanos) {
    ArrayDeque<Idle> queue = idle.get(backend);
    while (queue != null && !queue.isEmpty()) {
      Idle last = queue.pollLast();
      if (last.channel().isActive() && nowNanos - last.sinceNanos() < MAX_IDLE_NANOS) {
        return last.channel();
      }
      last.channel().close();
    }
    return null;
  }

  /** Keeps {@code channel} for the next request to {@code backend}, or closes it when enough wait already. */
  void give(InetSocketAddress backend, Channel channel, long nowNanos) {
    ArrayDeque<Idle> queue = idle.computeIfAbsent(backend, b -> new ArrayDeque<>());
    if (queue.size() >= MAX_IDLE_PER_BACKEND || !channel.isActive()) {
      channel.close();
      return;
    }
    queue.addLast(new Idle(channel, nowNanos));
  }

  /** {@code channel} closed while idle: forget it. */
  void closed(InetSocketAddress backend, Channel channel) {
    ArrayDeque<Idle> queue = idle.get(backend);
    if (queue != null) {
      queue.removeIf(i -> i.channel() == channel);
      if (queue.isEmpty()) {
        idle.remove(backend);
      }
    }
  }

  /** Closes connections idle for longer than the limit. */
  void sweep(long nowNanos) {
    for (Iterator<ArrayDeque<Idle>> it = idle.values().iterator(); it.hasNext(); ) {
      ArrayDeque<Idle> queue = it.next();
      while (!queue.isEmpty() && nowNanos - queue.peekFirst().sinceNanos() >= MAX_IDLE_NANOS) {
        queue.pollFirst().channel().close();
      }
      if (queue.isEmpty()) {
        it.remove();
      }
    }
  }

  /** Closes every idle connection (shutdown). */
  void closeAll() {
    idle.values().forEach(q -> q.forEach(i -> i.channel().close()));
    idle.clear();
  }

}
