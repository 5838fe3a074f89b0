package io.edgeproxy.core.testing.net;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(10)
class DelayLineTest {
  private static final Duration DELAY = Duration.ofMillis(30);

  @Test
  void deliversInQueueOrderNoSoonerThanTheDelay() throws Exception {
    List<Integer> order = new CopyOnWriteArrayList<>();
    List<Long> lateness = new CopyOnWriteArrayList<>();
    CountDownLatch done = new CountDownLatch(50);
    try (DelayLine line = new DelayLine("test", DELAY, 1 << 20, e -> {})) {
      for (int i = 0; i < 50; i++) {
        int n = i;
        long queuedAt = System.nanoTime();
        line.offer(1, () -> {
          lateness.add(System.nanoTime() - queuedAt - DELAY.toNanos());
          order.add(n);
          done.countDown();
        });
      }
      assertThat(done.await(5, TimeUnit.SECONDS)).isTrue();
    }
    assertThat(order).isSorted().hasSize(50);
    assertThat(lateness).allSatisfy(late -> assertThat(late).isNotNegative());
  }

  @Test
  void offerRefusesWhatWouldExceedTheCap() {
    try (DelayLine line = new DelayLine("test", Duration.ofSeconds(10), 100, e -> {})) {
      assertThat(line.offer(60, () -> {})).isTrue();
      assertThat(line.offer(60, () -> {})).isFalse();
      assertThat(line.offer(40, () -> {})).isTrue();
    }
  }

  @Test
  void oneEntryLargerThanTheCapStillFitsAnEmptyLine() {
    try (DelayLine line = new DelayLine("test", Duration.ofSeconds(10), 100, e -> {})) {
      assertThat(line.offer(1000, () -> {})).isTrue();
      assertThat(line.offer(1, () -> {})).isFalse();
    }
  }

  @Test
  void putWaitsUntilADeliveryMakesRoom() throws Exception {
    AtomicBoolean firstDelivered = new AtomicBoolean();
    try (DelayLine line = new DelayLine("test", DELAY, 10, e -> {})) {
      line.put(10, () -> firstDelivered.set(true));

      assertThat(line.put(10, () -> {})).isTrue();

      assertThat(firstDelivered).isTrue();
    }
  }

  @Test
  void closedLineTakesNothing() throws Exception {
    DelayLine line = new DelayLine("test", DELAY, 10, e -> {});
    line.close();

    assertThat(line.offer(1, () -> {})).isFalse();
    assertThat(line.put(1, () -> {})).isFalse();
  }
}
