package io.edgeproxy.replication.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.sql.ReplicaStore;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HoldsTrackerTest {
  @Test
  void setsTakenAfterAGapCountOnceTheGapIsFilled() {
    HoldsTracker tracker = new HoldsTracker();
    tracker.taken("a", 30, 40); // the push stream came back after 20 and 30 were lost
    tracker.taken("a", 40, 50);
    assertThat(tracker.connecting(Map.of("a", 10L))).isEmpty();
    // anti-entropy brings what is held up to 30: the remembered sets follow at once
    assertThat(tracker.connecting(Map.of("a", 30L))).containsExactly(new ReplicaStore.HoldsAdvance("a", 0, 50));
    assertThat(tracker.connecting(Map.of("a", 50L))).isEmpty(); // forgotten once connected
  }

  @Test
  void setsAlreadyCoveredChangeNothing() {
    HoldsTracker tracker = new HoldsTracker();
    tracker.taken("a", 5, 8);
    assertThat(tracker.connecting(Map.of("a", 100L))).isEmpty();
  }
}
