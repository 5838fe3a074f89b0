package io.edgeproxy.cache;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Consumer;

/**
 * Request collapsing: while one request for a key is at the origin (the leader), later misses
 * for the same key wait for it (followers) instead of going there too. When the leader lands, every
 * follower is told at once: the response was stored (look it up again), or it was not (go to the
 * origin yourselves, all together, never one after another: the stampede nginx's and Varnish's
 * queues turn into a serial wait).
 */
final class Flights {
  /** What a follower is told. */
  enum Landing {
    /** The response is in the cache now. */
    STORED,
    /** The response could not be stored, or the leader failed: go to the origin. */
    NOT_STORED
  }

  /** One key's request at the origin. */
  static final class Flight {
    private final List<Consumer<Landing>> followers = new ArrayList<>();
    private final long deadlineNanos;
    private boolean landed;

    private Flight(long deadlineNanos) {
      this.deadlineNanos = deadlineNanos;
    }
  }

  private final ConcurrentHashMap<String, Flight> flying = new ConcurrentHashMap<>();
  private final long maxWaitNanos;

  /** @param maxWaitNanos how long a flight holds its followers at most (a stalled origin must not hold them for good) */
  Flights(long maxWaitNanos) {
    this.maxWaitNanos = maxWaitNanos;
  }

  /**
   * A new flight for {@code key} led by the caller, or null when one is already flying and
   * {@code follower} joined it. A flight older than the wait bound is landed as not stored first
   * (its followers go to the origin) and the caller leads a new one, as nginx's
   * {@code proxy_cache_lock_timeout}.
   */
  @org.jspecify.annotations.Nullable Flight lead(String key, Consumer<Landing> follower, long nowNanos) {
    Flight mine = new Flight(nowNanos + maxWaitNanos);
    while (true) {
      Flight current = flying.putIfAbsent(key, mine);
      if (current == null) {
        return mine;
      }
      if (nowNanos - current.deadlineNanos > 0) {
        land(key, current, Landing.NOT_STORED);
        continue;
      }
      synchronized (current) {
        if (!current.landed) {
          current.followers.add(follower);
          return null;
        }
      }
      flying.remove(key, current); // landed but not yet removed: take its place
    }
  }

  /** Ends {@code flight}; every follower is told {@code landing} (on the caller's thread). Idempotent. */
  void land(String key, Flight flight, Landing landing) {
    List<Consumer<Landing>> told;
    synchronized (flight) {
      if (flight.landed) {
        return;
      }
      flight.landed = true;
      told = List.copyOf(flight.followers);
      flight.followers.clear();
    }
    flying.remove(key, flight);
    for (Consumer<Landing> f : told) {
      try {
        f.accept(landing);
      } catch (RuntimeException e) {
        // a follower whose loop is shutting down: the others are still told
      }
    }
  }
}
