package io.edgeproxy.replication.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ClockOffsetsTest {
  @Test
  void theOffsetTakesTheRoundTripOutAndTheShortestRoundTripIsBelieved() {
    ClockOffsets offsets = new ClockOffsets();
    // Peer 3,000 ms ahead; 20 ms each way; 1 ms to answer.
    offsets.record(1_000, 4_020, 4_021, 1_041);
    assertThat(offsets.best()).isEqualTo(new ClockOffsets.Sample(3_000, 40));
    // A queued exchange (slow return path) says something else; the cleaner one stands.
    offsets.record(2_000, 5_020, 5_021, 2_541);
    assertThat(offsets.best().offsetMillis()).isEqualTo(3_000);
  }

  @Test
  void aClockIsSkewedOnlyWhenTheRoundTripCannotExplainTheOffset() {
    // 3 s ahead on a 40 ms path: beyond a 500 ms bound.
    assertThat(new ClockOffsets.Sample(3_000, 40).beyond(500)).isTrue();
    // 951 ms "off" measured over a 2,718 ms round trip (a reply stuck behind a backlog): not proof.
    assertThat(new ClockOffsets.Sample(951, 2_718).beyond(500)).isFalse();
    assertThat(new ClockOffsets.Sample(-951, 2_718).beyond(500)).isFalse();
    // Just beyond once half the round trip is taken off, either sign.
    assertThat(new ClockOffsets.Sample(-610, 20).beyond(600)).isFalse();
    assertThat(new ClockOffsets.Sample(-611, 20).beyond(600)).isTrue();
  }

  @Test
  void nothingIsBelievedBeforeTheFirstExchange() {
    assertThat(new ClockOffsets().best()).isNull();
  }
}
