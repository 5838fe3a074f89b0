package io.edgeproxy.cache;

import java.util.concurrent.atomic.LongAdder;

/** One app's cache counters since start; read with {@link #snapshot}. */
final class AppCounters {
  final LongAdder hits = new LongAdder();
  final LongAdder misses = new LongAdder();
  final LongAdder stale = new LongAdder();
  final LongAdder collapsed = new LongAdder();
  final LongAdder bypassed = new LongAdder();
  final LongAdder stored = new LongAdder();
  final LongAdder purged = new LongAdder();
  final LongAdder evicted = new LongAdder();
  final LongAdder bytesFromCache = new LongAdder();
  final LongAdder diskHits = new LongAdder();
  final LongAdder bytesFromDisk = new LongAdder();

  HttpCache.AppStats snapshot(String app) {
    return new HttpCache.AppStats(app, hits.sum(), misses.sum(), stale.sum(), collapsed.sum(), bypassed.sum(), stored.sum(),
        purged.sum(), evicted.sum(), bytesFromCache.sum(), diskHits.sum(), bytesFromDisk.sum());
  }
}
