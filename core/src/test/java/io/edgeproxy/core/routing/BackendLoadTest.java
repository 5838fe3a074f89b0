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

  @Test
  void aShareCapsReservationsBelowTheHardLimitAndHeldSlotsAboveItAreKept() {
    BackendLoad load = new BackendLoad();
    assertThat(load.limitHere(10)).isEqualTo(10);
    load.setShare(3, 10);
    for (int i = 0; i < 5; i++) {
      load.tryAcquire(10);
    }
    assertThat(load.active()).isEqualTo(3);
    assertThat(load.isFull(10)).isTrue();
    load.setShare(1, 10); // shrunk below what is held: nothing is cut, nothing added
    assertThat(load.active()).isEqualTo(3);
    assertThat(load.tryAcquire(10)).isFalse();
    load.setShare(BackendLoad.WHOLE, 10);
    assertThat(load.limitHere(10)).isEqualTo(10);
    assertThat(load.limitHere(0)).isZero();
    assertThat(load.tryAcquire(0)).as("0 is unlimited, shares or not").isTrue();
  }

  @Test
  void beforeItsFirstShareAPopAdmitsAnEvenSplitRoundedDownOrNothing() {
    assertThat(new BackendLoad(3).limitHere(12)).isEqualTo(4);
    assertThat(new BackendLoad(3).limitHere(5)).isEqualTo(1);
    assertThat(new BackendLoad(4).limitHere(3)).isZero();
    assertThat(new BackendLoad(0).limitHere(12)).isZero();
    assertThat(new LoadBoard(3).loadOf("b").limitHere(12)).isEqualTo(4);
    assertThat(new BackendLoad().share()).isEqualTo(-1);
  }

  @Test
  void aShareComputedForAnotherLimitIsScaledUntilTheNextTick() {
    BackendLoad load = new BackendLoad();
    load.setShare(6, 12);
    assertThat(load.limitHere(12)).isEqualTo(6);
    assertThat(load.limitHere(6)).as("the row's limit was halved").isEqualTo(3);
    assertThat(load.limitHere(24)).isEqualTo(12);
    load.setShare(BackendLoad.WHOLE, 12);
    assertThat(load.limitHere(6)).isEqualTo(6);
  }

  @Test
  void demandIsThePeakHeldPlusWhatWasTurnedAwayAndStartsAgainAfterEachReading() {
    BackendLoad load = new BackendLoad();
    load.setShare(2, 100);
    for (int i = 0; i < 6; i++) {
      load.tryAcquire(100); // 2 admitted, 4 turned away
    }
    load.turnedAway(); // a client a selection would have sent here
    load.release();
    assertThat(load.takeDemand(100)).as("refused reservations are no demand: selection counts those it passed over").isEqualTo(2 + 1);
    assertThat(load.takeDemand(100)).as("next reading: only what is held now").isEqualTo(1);
    for (int i = 0; i < 50; i++) {
      load.turnedAway();
    }
    assertThat(load.takeDemand(20)).as("capped").isEqualTo(20);
  }
}
