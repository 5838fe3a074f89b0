package io.edgeproxy.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Registrations forgotten long after their lease ended stay forgotten while other POPs still hold
 * them, and come back only for what happened after: a later lease end or a new life. Two replicas,
 * one forgetting before the other, as two POPs compacting on their own schedules.
 */
class ForgottenLeasesTest {
  private static final long FORGET_AFTER = 10_000;
  private static final long REMEMBER = 60_000;
  private static final String BACKEND = "INSERT INTO backends (id, app, region, wg_ip, port, weight) VALUES (?, 'web', 'sa', '10.0.0.1', 80, 3)";
  private static final String LEASE = "INSERT INTO registrations (id, app, ttl_ms, expires_ms) VALUES (?, 'web', 1000, ?)";

  @TempDir Path dir;
  private final AtomicLong wall = new AtomicLong(1_700_000_000_000L);
  private final List<TestReplica> open = new ArrayList<>();
  private TestReplica a;
  private TestReplica b;

  /** {@code a} and {@code b} both hold backend {@code id} and its lease, which ended a second from now. */
  private void bothHold(String id) {
    if (a == null) {
      a = replica("pop-a");
      b = replica("pop-b");
    }
    a.sql(BACKEND, id);
    a.sql(LEASE, id, wall.get() + 1_000);
    b.receive(a.capture());
  }

  private TestReplica replica(String name) {
    TestReplica r = TestReplica.open(dir, name, wall, 0);
    open.add(r);
    return r;
  }

  @AfterEach
  void close() {
    open.forEach(TestReplica::close);
  }

  private int forget(TestReplica r) {
    return r.store.forgetExpiredLeases(wall.get(), FORGET_AFTER, REMEMBER).rows();
  }

  private static boolean holds(TestReplica r, String id) {
    return r.row("registrations", "id", id) != null || r.row("backends", "id", id) != null;
  }

  @Test
  void aForgottenRegistrationOfferedBackByAPopThatHasNotForgottenItYetIsRefused() {
    bothHold("r1");
    wall.addAndGet(20_000);
    assertThat(forget(a)).isEqualTo(1);

    var offered = a.receive(b.allRows()); // anti-entropy from b, which has not compacted yet
    assertThat(offered.applied()).isZero();
    assertThat(holds(a, "r1")).as("the same registration and its backend stay forgotten").isFalse();
    assertThat(forget(b)).isEqualTo(1);
    b.receive(a.allRows());
    assertThat(a.hashes()).isEqualTo(b.hashes()).isEmpty();
  }

  @Test
  void aHeartbeatThroughAPopThatHadNotForgottenItBringsItBackWithItsBackend() {
    bothHold("r1");
    wall.addAndGet(20_000);
    forget(a);
    // b was cut off longer than the forget time, and the backend kept heartbeating through it.
    b.sql("UPDATE registrations SET expires_ms = max(expires_ms, ?) WHERE id = 'r1'", wall.get() + 3_000);
    a.receive(b.capture());
    a.receive(b.allRows());

    assertThat(a.row("registrations", "id", "r1")).containsEntry("expires_ms", wall.get() + 3_000);
    assertThat(a.row("backends", "id", "r1")).as("its backend is taken back too, whole").containsEntry("weight", 3);
    assertThat(a.hashes()).isEqualTo(b.hashes());
    assertThat(forget(a)).as("not forgotten again: its lease is recent").isZero();
  }

  @Test
  void aBackendEditOnAPopThatHasNotForgottenItIsForgottenWithItsRegistration() {
    bothHold("r1");
    wall.addAndGet(20_000);
    forget(a);
    b.sql("UPDATE backends SET weight = 9 WHERE id = 'r1'"); // same life: still the registration's backend
    a.receive(b.capture());
    assertThat(holds(a, "r1")).isFalse();
    forget(b);
    assertThat(holds(b, "r1")).isFalse();
    assertThat(a.hashes()).isEqualTo(b.hashes());
  }

  @Test
  void aBackendRowCreatedAfterItsRegistrationIsNotItsAndStaysEverywhere() {
    bothHold("r2");
    wall.addAndGet(10);
    a.sql("DELETE FROM backends WHERE id = 'r2'");
    b.receive(a.capture());
    wall.addAndGet(10);
    a.sql(BACKEND, "r2"); // a new life, begun after the registration's
    b.receive(a.capture());
    wall.addAndGet(20_000);
    forget(a);
    assertThat(a.row("backends", "id", "r2")).isNotNull();
    assertThat(a.row("registrations", "id", "r2")).isNull();
    a.receive(b.allRows());
    forget(b);
    b.receive(a.allRows());
    assertThat(b.row("backends", "id", "r2")).isNotNull();
    assertThat(a.hashes()).isEqualTo(b.hashes());
  }

  @Test
  void aNewRegistrationOrADeregistrationIsANewLifeAndIsTaken() {
    bothHold("r3");
    bothHold("r4");
    wall.addAndGet(20_000);
    forget(a);
    b.sql("DELETE FROM registrations WHERE id = 'r3'");
    b.sql("DELETE FROM backends WHERE id = 'r3'");
    b.sql("DELETE FROM registrations WHERE id = 'r4'");
    b.sql(LEASE, "r4", wall.get() + 5_000); // registered again after its deregistration
    a.receive(b.capture());
    assertThat(holds(a, "r3")).isFalse();
    assertThat(a.allRows()).as("the deregistration is kept as a delete").anySatisfy(row -> {
      assertThat(row.key()).isEqualTo("r3");
      assertThat(row.table()).isEqualTo("registrations");
      assertThat(row.exists()).isFalse();
    });
    assertThat(a.row("registrations", "id", "r4")).containsEntry("expires_ms", wall.get() + 5_000);
  }

  /**
   * The simulator's seed 90 (after the causal-length change): a registration and its backend are
   * forgotten on A; the registration is written again by hand on A (a new life, no backend row), and
   * B, which was down meanwhile, offers back the old backend row with what it had of it. That row
   * is still the forgotten registration's, with nothing written to it since: it stays forgotten.
   * It came back, its later edits lost, because any registration held here let it through.
   */
  @Test
  void aNewRegistrationDoesNotBringBackTheOldBackendRowUnlessItWasWrittenSince() {
    bothHold("r6");
    wall.addAndGet(20_000);
    forget(a);
    wall.addAndGet(10);
    a.sql(LEASE, "r6", wall.get() + 5_000); // by hand: the registration only
    a.capture();
    a.receive(b.allRows());
    assertThat(a.row("registrations", "id", "r6")).containsEntry("expires_ms", wall.get() + 5_000);
    assertThat(a.row("backends", "id", "r6")).as("the forgotten registration's backend, unchanged since").isNull();

    wall.addAndGet(10);
    b.sql("UPDATE backends SET weight = 7 WHERE id = 'r6'"); // written since: an operator, or a registration's upsert
    a.receive(b.capture());
    assertThat(a.row("backends", "id", "r6")).containsEntry("weight", 7);
  }

  @Test
  void whatWasForgottenIsRememberedForALimitedTime() {
    bothHold("r5");
    wall.addAndGet(20_000);
    forget(a);
    wall.addAndGet(REMEMBER + 1);
    forget(a); // drops the memory
    a.receive(b.allRows());
    assertThat(a.row("registrations", "id", "r5")).as("a POP that kept it this long offers it back, and it is taken").isNotNull();
    assertThat(forget(a)).as("to be forgotten again at the next pass").isEqualTo(1);
  }
}
