package io.edgeproxy.replication.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class PushLagTest {
  private final PushLag lag = new PushLag();

  @Test
  void isTheLargestRecentDelay() {
    lag.record(1_000, 1_050);
    lag.record(1_100, 1_400);
    lag.record(1_500, 1_520);
    assertThat(lag.millis(1_600)).isEqualTo(300);
  }

  @Test
  void forgetsDelaysOlderThanTwoWindows() {
    lag.record(1_000, 3_000); // 2 s behind
    assertThat(lag.millis(7_000)).isEqualTo(2_000); // the previous window still counts
    assertThat(lag.millis(13_000)).isZero();
  }

  @Test
  void aChangeStampedAheadOfOurClockIsNoDelay() {
    lag.record(5_000, 4_000);
    assertThat(lag.millis(4_000)).isZero();
  }
}
