package io.edgeproxy.proxy;

import java.util.concurrent.atomic.LongAdder;

/** Counters of one proxy server, across its listeners. Thread-safe. */
public final class ProxyStats {
  private final LongAdder accepted = new LongAdder();
  private final LongAdder refused = new LongAdder();
  private final LongAdder connectFailures = new LongAdder();
  private final LongAdder[] picksByTier = {new LongAdder(), new LongAdder(), new LongAdder(), new LongAdder()};

  void accepted() {
    accepted.increment();
  }

  void refused() {
    refused.increment();
  }

  void picked(int tier) {
    picksByTier[Math.min(Math.max(tier, 0), picksByTier.length - 1)].increment();
  }

  /** Backends picked (connect attempts) in geographic tier {@code tier} (0-3, see {@code Tier}). */
  public long picksInTier(int tier) {
    return picksByTier[tier].sum();
  }

  void connectFailed() {
    connectFailures.increment();
  }

  /** Client connections accepted. */
  public long acceptedTotal() {
    return accepted.sum();
  }

  /** Client connections closed because no backend could take them. */
  public long refusedTotal() {
    return refused.sum();
  }

  /** Backend connect attempts that failed (refused, reset, timed out). */
  public long connectFailuresTotal() {
    return connectFailures.sum();
  }
}
