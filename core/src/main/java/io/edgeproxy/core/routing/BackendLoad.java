package io.edgeproxy.core.routing;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * Live, POP-local state of one backend: active connections (reserved slots), totals, passive
 * health (consecutive connect failures and an ejection deadline) and the active health check's verdict.
 *
 * <p>Thread-safe; shared by every snapshot that contains the backend's id (see {@link LoadBoard}),
 * so counts survive routing.db reloads. A slot is reserved with {@link #tryAcquire(int)} before
 * connecting and given back exactly once with {@link #release()}; because reservation is a
 * compare-and-set against the hard limit, concurrent connects can never exceed it.
 *
 * <p>In a cluster the hard limit is the whole cluster's: this POP enforces its {@linkplain
 * #setShare share} of it (see {@link LimitShares}), and tells the others what it used and what it
 * turned away ({@link #takeDemand}).
 */
public final class BackendLoad {
  private final AtomicInteger active = new AtomicInteger();
  private final AtomicInteger consecutiveFailures = new AtomicInteger();
  private final LongAdder connectionsTotal = new LongAdder();
  private final LongAdder connectFailuresTotal = new LongAdder();
  private final LongAdder bytesToBackend = new LongAdder();
  private final LongAdder bytesFromBackend = new LongAdder();
  private volatile long ejectedUntilNanos;
  private volatile boolean ejected;
  private volatile boolean checkFailing;
  /**
   * Before this POP has computed its share: 0 to admit none, else the number of POPs the limit is
   * split among evenly, rounded down (1: the whole limit, no one to share with).
   */
  private final int splitBeforeShares;
  /**
   * This POP's share and the hard limit it was computed for, in one value so that they are read
   * together: {@code share << 32 | limit}; {@link #UNSET} before the first.
   */
  private volatile long share = UNSET;
  /** The most slots held at once since the last {@link #takeDemand}. */
  private final AtomicInteger peak = new AtomicInteger();
  /** Clients a selection passed this backend over for since the last {@link #takeDemand}. */
  private final LongAdder turnedAway = new LongAdder();

  /** A share of the whole limit (no other POP known). */
  public static final int WHOLE = Integer.MAX_VALUE;
  private static final long UNSET = -1;

  /** The load of a backend whose limit this POP has no one to share with. */
  public BackendLoad() {
    this(1);
  }

  /**
   * @param splitBeforeShares until a share is set: 0 admits none, n splits the limit evenly among n
   *     POPs (this one included), rounded down
   */
  public BackendLoad(int splitBeforeShares) {
    this.splitBeforeShares = Math.max(0, splitBeforeShares);
  }

  /**
   * Reserves one connection slot unless {@code hardLimit} slots are taken.
   *
   * @param hardLimit the backend's hard limit; 0 or less means unlimited
   * @return true if a slot was reserved; the caller must {@link #release()} it exactly once
   */
  public boolean tryAcquire(int hardLimit) {
    if (hardLimit <= 0) {
      active.incrementAndGet();
      return true;
    }
    int limit = limitHere(hardLimit);
    int current;
    do {
      current = active.get();
      if (current >= limit) {
        return false;
      }
    } while (!active.compareAndSet(current, current + 1));
    if (current + 1 > peak.get()) {
      peak.accumulateAndGet(current + 1, Math::max);
    }
    return true;
  }

  /**
   * The slots this POP may hold for a backend of {@code hardLimit} (> 0): the limit, or this POP's
   * share of it. A share computed for another limit (the row was just edited) is scaled to this
   * one, rounded down, until the next is computed.
   */
  public int limitHere(int hardLimit) {
    long s = share;
    if (s == UNSET) {
      return splitBeforeShares == 0 ? 0 : hardLimit / splitBeforeShares;
    }
    int slots = (int) (s >>> 32);
    int forLimit = (int) s;
    if (slots == WHOLE || forLimit == hardLimit) {
      return Math.min(hardLimit, slots);
    }
    return (int) Math.min(hardLimit, (long) slots * hardLimit / Math.max(1, forLimit));
  }

  /**
   * Sets this POP's share of {@code hardLimit} ({@link #WHOLE}: all of it). Slots held above it are
   * kept, none added.
   */
  public void setShare(int slots, int hardLimit) {
    share = (long) Math.max(0, slots) << 32 | (hardLimit & 0xFFFFFFFFL);
  }

  /** This POP's share as last set ({@link #WHOLE}: all of it), or -1 before the first. */
  public int share() {
    long s = share;
    return s == UNSET ? -1 : (int) (s >>> 32);
  }

  /**
   * What this POP asked of the backend since the last call, and starts counting again: the most
   * slots it held at once (at least those it holds now) plus the connections it turned away for
   * the limit, at most {@code cap}.
   */
  public int takeDemand(int cap) {
    int now = active.get();
    long demand = (long) Math.max(now, peak.getAndSet(now)) + turnedAway.sumThenReset();
    return (int) Math.min(cap, demand);
  }

  /** A client would have been sent here but the backend was full on this POP: demand this POP could not meet. */
  public void turnedAway() {
    turnedAway.increment();
  }

  /** Gives back a slot reserved by {@link #tryAcquire(int)}. */
  public void release() {
    active.decrementAndGet();
  }

  public int active() {
    return active.get();
  }

  /** True when the backend is at or over {@code hardLimit} (0 = unlimited), or this POP's share of it. */
  public boolean isFull(int hardLimit) {
    return hardLimit > 0 && active.get() >= limitHere(hardLimit);
  }

  /** A proxied connection to this backend was established. */
  public void recordConnectSuccess() {
    connectionsTotal.increment();
    consecutiveFailures.set(0);
    ejected = false;
  }

  /**
   * A connect attempt failed (refused, reset or timed out). After {@code threshold} consecutive
   * failures the backend is ejected from selection on this POP for {@code cooldownNanos}.
   *
   * @return true if this failure ejected the backend
   */
  public boolean recordConnectFailure(long nowNanos, int threshold, long cooldownNanos) {
    connectFailuresTotal.increment();
    int failures = consecutiveFailures.incrementAndGet();
    if (threshold > 0 && failures >= threshold) {
      consecutiveFailures.set(0);
      ejectedUntilNanos = nowNanos + cooldownNanos;
      ejected = true;
      return true;
    }
    return false;
  }

  /** True while a passive-health ejection is in force. */
  public boolean isEjected(long nowNanos) {
    return ejected && nowNanos - ejectedUntilNanos < 0;
  }

  /** True while this POP's active health check holds the backend down. */
  public boolean isCheckFailing() {
    return checkFailing;
  }

  /** Set by this POP's active health checker when the backend goes down ({@code fall}) or up ({@code rise}). */
  public void setCheckFailing(boolean failing) {
    checkFailing = failing;
  }

  /**
   * True when this POP would send no new client to the backend for its own reasons: the active
   * health check failed or passive health ejected it. (routing.db's healthy flag is separate.)
   */
  public boolean isDownHere(long nowNanos) {
    return checkFailing || isEjected(nowNanos);
  }

  /** Bytes relayed from clients to this backend (proxied traffic). */
  public void addBytesToBackend(long bytes) {
    bytesToBackend.add(bytes);
  }

  /** Bytes relayed from this backend to its clients. */
  public void addBytesFromBackend(long bytes) {
    bytesFromBackend.add(bytes);
  }

  public long bytesToBackend() {
    return bytesToBackend.sum();
  }

  public long bytesFromBackend() {
    return bytesFromBackend.sum();
  }

  public long connectionsTotal() {
    return connectionsTotal.sum();
  }

  public long connectFailuresTotal() {
    return connectFailuresTotal.sum();
  }
}
