package io.edgeproxy.core.routing;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class BackendLoadTest {
  @Test
  void concurrentReservationsNeverExceedTheHardLimit() throws Exception {
    BackendLoad load = new BackendLoad();
    AtomicInteger granted = new AtomicInteger();
    CountDownLatch start = new CountDownLatch(1);
    try (ExecutorService pool = Executors.newFixedThreadPool(8)) {
      for (int t = 0; t < 8; t++) {
        pool.submit(() -> {
          start.await();
          for (int i = 0; i < 10_000; i++) {
            if (load.tryAcquire(37)) {
              granted.incrementAndGet();
              assertThat(load.active()).isLessThanOrEqualTo(37);
              if (i % 3 == 0) {
                load.release();
                granted.decrementAndGet();
              }
            }
          }
          return null;
        });
      }
      start.countDown();
    }
    assertThat(load.active()).isEqualTo(37).isEqualTo(granted.get());
  }

  @Test
  void ejectsAfterConsecutiveFailuresAndASuccessResetsTheCount() {
    BackendLoad load = new BackendLoad();
    assertThat(load.recordConnectFailure(0, 3, 100)).isFalse();
    assertThat(load.recordConnectFailure(0, 3, 100)).isFalse();
    load.recordConnectSuccess();
    assertThat(load.recordConnectFailure(0, 3, 100)).isFalse();
    assertThat(load.recordConnectFailure(0, 3, 100)).isFalse();
    assertThat(load.recordConnectFailure(10, 3, 100)).isTrue();
    assertThat(load.isEjected(50)).isTrue();
    assertThat(load.isEjected(110)).isFalse();
    assertThat(load.connectFailuresTotal()).isEqualTo(5);
  }

  @Test
  void zeroHardLimitMeansUnlimited() {
    BackendLoad load = new BackendLoad();
    for (int i = 0; i < 1000; i++) {
      assertThat(load.tryAcquire(0)).isTrue();
    }
    assertThat(load.isFull(0)).isFalse();
  }
}
