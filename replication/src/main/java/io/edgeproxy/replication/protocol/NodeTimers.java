package io.edgeproxy.replication.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;

/**
 * A node's timers on its runtime: tasks that repeat until the node closes, and the one-shot timer
 * that releases changes held for clock skew when the earliest is due. The node's thread only.
 */
final class NodeTimers {
  /** A task that failed: reported, and the task runs again at its next tick. */
  interface FailureSink {
    void failed(RuntimeException e);
  }

  private final ReplicaRuntime runtime;
  private final FailureSink failures;
  private final List<ReplicaRuntime.Cancellable> repeating = new ArrayList<>();
  private ReplicaRuntime.@Nullable Cancellable release;
  private boolean closed;

  NodeTimers(ReplicaRuntime runtime, FailureSink failures) {
    this.runtime = runtime;
    this.failures = failures;
  }

  /** Runs {@code task} every {@code millis} until {@link #close()}. */
  void every(long millis, Runnable task) {
    ReplicaRuntime.Cancellable[] current = new ReplicaRuntime.Cancellable[1];
    Runnable tick = new Runnable() {
      @Override
      public void run() {
        if (closed) {
          return;
        }
        try {
          task.run();
        } catch (RuntimeException e) {
          failures.failed(e);
        }
        current[0] = runtime.schedule(millis, this);
      }
    };
    current[0] = runtime.schedule(millis, tick);
    repeating.add(() -> current[0].cancel());
  }

  /**
   * (Re)arms the release timer for {@code next} (a wall-clock time in ms; empty: nothing held), at
   * most a minute ahead so a clock that jumps is noticed; {@code task} runs then.
   */
  void releaseAt(OptionalLong next, LongSupplier wallMillis, Runnable task) {
    if (release != null) {
      release.cancel();
      release = null;
    }
    if (next.isPresent() && !closed) {
      long wait = Math.max(0, next.getAsLong() - wallMillis.getAsLong()) + 1;
      release = runtime.schedule(Math.min(wait, 60_000), () -> {
        release = null;
        task.run();
      });
    }
  }

  void close() {
    closed = true;
    repeating.forEach(ReplicaRuntime.Cancellable::cancel);
    if (release != null) {
      release.cancel();
    }
  }
}
