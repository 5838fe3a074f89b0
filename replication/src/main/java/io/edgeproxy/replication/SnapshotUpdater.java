package io.edgeproxy.replication;

import io.edgeproxy.sql.RoutingReloader;
import io.edgeproxy.sql.RowKey;
import io.netty.util.concurrent.DefaultThreadFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Brings the routing snapshot up to date with rows replication just wrote, on its own thread: at
 * once when that is cheap (a small table, or the first change in a while), otherwise spaced so that
 * it takes at most about a fifth of the time while batches keep arriving (a bootstrap or a burst
 * applies thousands of them; indexing 100,000 backends takes about 90 ms). Rows changed while an
 * update is pending join that update.
 */
final class SnapshotUpdater implements AutoCloseable {
  private final RoutingReloader reloader;
  private final ScheduledExecutorService timer;
  private final ExecutorService thread = Executors.newSingleThreadExecutor(new DefaultThreadFactory("replication-reload", true));
  private final AtomicBoolean pending = new AtomicBoolean();
  private final List<RowKey> changedSinceLast = new ArrayList<>();
  private volatile long lastEnd = System.nanoTime();
  private volatile long lastDuration;

  SnapshotUpdater(RoutingReloader reloader, ScheduledExecutorService timer) {
    this.reloader = reloader;
    this.timer = timer;
  }

  /** Applies {@code changed} rows to the snapshot soon. Any thread. */
  void changed(java.util.Collection<RowKey> changed) {
    synchronized (changedSinceLast) {
      changedSinceLast.addAll(changed);
    }
    if (!pending.compareAndSet(false, true)) {
      return;
    }
    long delay = Math.max(0, 4 * lastDuration - (System.nanoTime() - lastEnd));
    Runnable update = () -> {
      pending.set(false);
      List<RowKey> batch;
      synchronized (changedSinceLast) {
        batch = new ArrayList<>(changedSinceLast);
        changedSinceLast.clear();
      }
      long start = System.nanoTime();
      reloader.applyChanges(batch);
      lastEnd = System.nanoTime();
      lastDuration = lastEnd - start;
    };
    if (delay == 0) {
      thread.execute(update);
    } else {
      timer.schedule(() -> thread.execute(update), delay, TimeUnit.NANOSECONDS);
    }
  }

  /**
   * From now on replication reports every change it makes (see {@code ReplicaNode.Listener}): the
   * reloader stops re-reading routing.db after this process's own commits. Until {@link #close}.
   */
  void startReporting() {
    reloader.writesReported(true);
  }

  /** Re-reads the whole of routing.db into the snapshot (after a change too large to apply row by row). */
  void reloadAll() {
    thread.execute(reloader::reloadNow);
  }

  @Override
  public void close() {
    thread.shutdown();
    try {
      thread.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    reloader.writesReported(false); // nobody reports this process's writes any more
  }
}
