package io.edgeproxy.dns;

import io.edgeproxy.core.routing.Candidate;
import java.util.Arrays;

/**
 * What one answer was computed from, besides the query and the client's network: the zone view
 * (one snapshot version) and every live check of a backend ("usable now?") with its result. An
 * encoded response may be reused while {@link Frozen#holds} says the same inputs would give the
 * same answer. Filled by one lookup on one thread.
 */
final class AnswerInputs {
  /** Checks recorded at most; an answer that looks at more backends is not reused. */
  static final int MAX_CHECKS = 64;

  private Candidate[] checked = new Candidate[4];
  private int count;
  private long usableBits;
  private boolean reusable = true;

  /** Records that {@code candidate} was found usable or not. */
  void checked(Candidate candidate, boolean usable) {
    if (count == MAX_CHECKS) {
      reusable = false;
      return;
    }
    if (count == checked.length) {
      checked = Arrays.copyOf(checked, count * 2);
    }
    if (usable) {
      usableBits |= 1L << count;
    }
    checked[count++] = candidate;
  }

  /** The answer read something that is not tracked here (the POP list): never reuse it. */
  void untracked() {
    reusable = false;
  }

  boolean reusable() {
    return reusable;
  }

  /** The inputs as of now, for a cache entry; only when {@link #reusable()}. */
  Frozen freeze(ZoneView view) {
    return new Frozen(view, Arrays.copyOf(checked, count), usableBits);
  }

  /** Immutable inputs of a cached response. */
  static final class Frozen {
    private final ZoneView view;
    private final Candidate[] checked;
    private final long usableBits;

    private Frozen(ZoneView view, Candidate[] checked, long usableBits) {
      this.view = view;
      this.checked = checked;
      this.usableBits = usableBits;
    }

    /** True when {@code current} is the same view and every checked backend is as usable as it was. */
    boolean holds(ZoneView current, long nowNanos) {
      if (current != view) {
        return false;
      }
      for (int i = 0; i < checked.length; i++) {
        if (ZoneResolver.usable(checked[i], nowNanos) != ((usableBits >>> i & 1) != 0)) {
          return false;
        }
      }
      return true;
    }
  }
}
