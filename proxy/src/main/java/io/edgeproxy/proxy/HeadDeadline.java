package io.edgeproxy.proxy;

import io.netty.channel.EventLoop;
import org.jspecify.annotations.Nullable;

/**
 * HTTP/1.x: the next request's head must come within the hello timeout, so slow clients hold no
 * connection for long. Watched by the I/O thread's sweep ({@link LoopDeadlines}). Loop thread only.
 */
final class HeadDeadline implements LoopDeadlines.Watched {
  private final HttpSite site;
  private final Runnable late;
  private @Nullable ProxyLoop loop;
  private long deadline;
  private boolean watching;

  /** @param late run when no head came in time */
  HeadDeadline(HttpSite site, Runnable late) {
    this.site = site;
    this.late = late;
  }

  /** A head is due within the hello timeout from now. */
  void await(EventLoop eventLoop) {
    if (loop == null) {
      loop = site.loopOf(eventLoop);
    }
    deadline = System.nanoTime() + site.edge().config().helloTimeout().toNanos();
    loop.deadlines().watch(this);
    watching = true;
  }

  /** The head came (or the connection went). */
  void arrived() {
    if (watching) {
      loop.deadlines().unwatch(this);
      watching = false;
    }
  }

  @Override
  public long deadlineNanos() {
    return deadline;
  }

  @Override
  public void expired() {
    watching = false;
    late.run();
  }
}
