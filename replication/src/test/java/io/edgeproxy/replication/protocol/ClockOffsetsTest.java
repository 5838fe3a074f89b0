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
  void nothingIsBelievedBeforeTheFirstExchange() {
    assertThat(new ClockOffsets().best()).isNull();
  }
}
