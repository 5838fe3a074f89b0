package io.edgeproxy.proxy.health;

/**
 * HAProxy's rise/fall counting for one backend. A backend starts up (HAProxy's
 * {@code init-state fully-up}); {@code fall} consecutive failures take it down; {@code rise}
 * consecutive successes bring it back. Any result of the other kind restarts the count, exactly as
 * HAProxy's single health counter does. Not thread-safe: used on the checker's event loop only.
 */
final class RiseFall {
  enum Transition { NONE, WENT_DOWN, WENT_UP }

  private boolean up = true;
  private long consecutiveSuccesses;
  private long consecutiveFailures;

  /** Counts one probe result against the check's current {@code rise} and {@code fall} (both >= 1). */
  Transition record(boolean passed, int rise, int fall) {
    if (passed) {
      consecutiveSuccesses++;
      consecutiveFailures = 0;
      if (!up && consecutiveSuccesses >= rise) {
        up = true;
        return Transition.WENT_UP;
      }
    } else {
      consecutiveFailures++;
      consecutiveSuccesses = 0;
      if (up && consecutiveFailures >= fall) {
        up = false;
        return Transition.WENT_DOWN;
      }
    }
    return Transition.NONE;
  }

  boolean isUp() {
    return up;
  }

  long consecutiveSuccesses() {
    return consecutiveSuccesses;
  }

  long consecutiveFailures() {
    return consecutiveFailures;
  }
}
