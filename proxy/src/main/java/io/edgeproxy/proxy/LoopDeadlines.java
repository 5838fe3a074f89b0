package io.edgeproxy.proxy;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Deadlines of one I/O thread, checked by a sweep (every {@link #SWEEP_MILLIS}) rather than a timer
 * each: HTTP mode has two per request (the next request head, the backend's response), and a timer
 * costs a priority-queue insertion and removal plus a task object, several percent of a request's
 * CPU. Watching is a set insertion; a deadline fires up to one sweep late. Loop thread only.
 */
final class LoopDeadlines {
  static final long SWEEP_MILLIS = 100;

  /** Something with a deadline. */
  interface Watched {
    long deadlineNanos();

    /** The deadline passed while watched; it is no longer watched. */
    void expired();
  }

  private final Set<Watched> watched = new HashSet<>();

  void watch(Watched w) {
    watched.add(w);
  }

  void unwatch(Watched w) {
    watched.remove(w);
  }

  /** Fires every deadline at or before {@code nowNanos}. */
  void sweep(long nowNanos) {
    if (watched.isEmpty()) {
      return;
    }
    List<Watched> due = new ArrayList<>();
    for (Watched w : watched) {
      if (nowNanos - w.deadlineNanos() >= 0) {
        due.add(w);
      }
    }
    due.forEach(watched::remove);
    due.forEach(Watched::expired);
  }

}
