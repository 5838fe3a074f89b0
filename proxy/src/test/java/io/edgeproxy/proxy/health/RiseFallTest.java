package io.edgeproxy.proxy.health;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.proxy.health.RiseFall.Transition;
import org.junit.jupiter.api.Test;

class RiseFallTest {
  private static final int RISE = 2;
  private static final int FALL = 3;

  @Test
  void aNewBackendStartsUp() {
    assertThat(new RiseFall().isUp()).isTrue();
  }

  @Test
  void goesDownExactlyAtTheFallThFailureInARow() {
    RiseFall rf = new RiseFall();
    assertThat(rf.record(false, RISE, FALL)).isEqualTo(Transition.NONE);
    assertThat(rf.record(false, RISE, FALL)).isEqualTo(Transition.NONE);
    assertThat(rf.isUp()).isTrue();
    assertThat(rf.record(false, RISE, FALL)).isEqualTo(Transition.WENT_DOWN);
    assertThat(rf.isUp()).isFalse();
    assertThat(rf.consecutiveFailures()).isEqualTo(3);
    assertThat(rf.record(false, RISE, FALL)).as("reported once").isEqualTo(Transition.NONE);
  }

  @Test
  void aSuccessBetweenFailuresRestartsTheFallCount() {
    RiseFall rf = new RiseFall();
    rf.record(false, RISE, FALL);
    rf.record(false, RISE, FALL);
    rf.record(true, RISE, FALL);
    assertThat(rf.record(false, RISE, FALL)).isEqualTo(Transition.NONE);
    assertThat(rf.record(false, RISE, FALL)).isEqualTo(Transition.NONE);
    assertThat(rf.isUp()).isTrue();
    assertThat(rf.record(false, RISE, FALL)).isEqualTo(Transition.WENT_DOWN);
  }

  @Test
  void comesBackExactlyAtTheRiseThSuccessInARowAndAFailureRestartsTheCount() {
    RiseFall rf = down();
    assertThat(rf.record(true, RISE, FALL)).isEqualTo(Transition.NONE);
    assertThat(rf.record(false, RISE, FALL)).isEqualTo(Transition.NONE);
    assertThat(rf.record(true, RISE, FALL)).isEqualTo(Transition.NONE);
    assertThat(rf.isUp()).isFalse();
    assertThat(rf.record(true, RISE, FALL)).isEqualTo(Transition.WENT_UP);
    assertThat(rf.isUp()).isTrue();
    assertThat(rf.consecutiveSuccesses()).isEqualTo(2);
    assertThat(rf.consecutiveFailures()).isZero();
  }

  @Test
  void riseAndFallOfOneFlipOnEveryChange() {
    RiseFall rf = new RiseFall();
    assertThat(rf.record(false, 1, 1)).isEqualTo(Transition.WENT_DOWN);
    assertThat(rf.record(true, 1, 1)).isEqualTo(Transition.WENT_UP);
    assertThat(rf.record(true, 1, 1)).isEqualTo(Transition.NONE);
  }

  private static RiseFall down() {
    RiseFall rf = new RiseFall();
    for (int i = 0; i < FALL; i++) {
      rf.record(false, RISE, FALL);
    }
    assertThat(rf.isUp()).isFalse();
    return rf;
  }
}
