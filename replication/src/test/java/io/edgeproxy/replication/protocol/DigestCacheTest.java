package io.edgeproxy.replication.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.sql.DigestDelta;
import io.edgeproxy.sql.RowKey;
import java.util.List;
import org.junit.jupiter.api.Test;

class DigestCacheTest {
  private static final RowKey ROW = new RowKey("backends", "b1");

  @Test
  void theSettledDigestLeavesOutChangesNewerThanTheCut() {
    DigestCache cache = new DigestCache(15_000);
    int bucket = DigestCache.bucketOf(ROW.table(), ROW.key());
    cache.apply(List.of(new DigestDelta(ROW, 100, 10)), 1_000);
    cache.apply(List.of(new DigestDelta(ROW, 23, 30)), 1_100); // a newer version of the row, still settling
    assertThat(cache.settled(Long.MAX_VALUE)[bucket]).isEqualTo(123);
    assertThat(cache.settled(20)[bucket]).isEqualTo(100);
    assertThat(cache.settled(5)[bucket]).isZero();
  }

  @Test
  void changesAreRememberedOnlyAsLongAsAskedSoOldOnesCountAsSettled() {
    DigestCache cache = new DigestCache(1_000);
    int bucket = DigestCache.bucketOf(ROW.table(), ROW.key());
    cache.apply(List.of(new DigestDelta(ROW, 7, 50)), 1_000);
    cache.apply(List.of(), 3_000);
    assertThat(cache.settled(0)[bucket]).isEqualTo(7);
  }
}
