package io.edgeproxy.sql;

import static org.assertj.core.api.Assertions.assertThat;

import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.routing.LoadBoard;
import io.edgeproxy.core.routing.RoutingState;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A registered backend routes as its lease allows, judged by this POP's clock from the replicated
 * lease end; nothing is written when a lease runs out, and moving its end forward undoes any of it.
 */
class LeaseDerivationTest {
  @TempDir Path dir;
  private final AtomicLong now = new AtomicLong(1_000_000);
  private final RoutingState state = new RoutingState("sa", new LoadBoard());
  private RoutingDb db;
  private RoutingReloader reloader;

  @BeforeEach
  void open() {
    db = RoutingDb.open(dir.resolve("routing.db"));
    db.write("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('r1', 'web', 'sa', '10.0.0.1', 80)");
    db.write("INSERT INTO registrations (id, app, ttl_ms, expires_ms) VALUES ('r1', 'web', 3000, ?)", now.get() + 3000);
    db.write("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('plain', 'web', 'sa', '10.0.0.2', 80)");
    reloader = new RoutingReloader(db, state, new LeaseRule(Duration.ofSeconds(10)), now::get);
    reloader.reloadNow();
  }

  @AfterEach
  void close() {
    reloader.close();
    db.close();
  }

  private List<String> routable() {
    return state.current().backends().stream().filter(Backend::healthy).map(Backend::id).sorted().toList();
  }

  private List<String> listed() {
    return state.current().backends().stream().map(Backend::id).sorted().toList();
  }

  @Test
  void aLeaseRunsOutThenGoesAndAHeartbeatAtAnyPointBringsItBack() throws Exception {
    assertThat(routable()).containsExactly("plain", "r1");
    long stamp = db.changeStamp();

    now.addAndGet(3001);
    reloader.applyDueLeases();
    assertThat(routable()).containsExactly("plain");
    assertThat(listed()).containsExactly("plain", "r1");

    now.addAndGet(10_000);
    reloader.applyDueLeases();
    assertThat(listed()).containsExactly("plain");
    assertThat(db.changeStamp()).as("expiry writes nothing").isEqualTo(stamp);
    assertThat(new Registrations(db).find("r1")).isPresent();

    // A heartbeat arriving (here or replicated from another POP) moves the end forward.
    new Registrations(db).heartbeat("r1", now.get(), Duration.ofSeconds(3), "pop-x");
    reloader.applyChanges(List.of(new RowKey("registrations", "r1")));
    assertThat(routable()).containsExactly("plain", "r1");
  }

  @Test
  void aFullReloadJudgesLeasesTheSameWay() {
    now.addAndGet(5000);
    reloader.reloadNow();
    assertThat(routable()).containsExactly("plain");
    assertThat(listed()).containsExactly("plain", "r1");
    now.addAndGet(20_000);
    reloader.reloadNow();
    assertThat(listed()).containsExactly("plain");
  }
}
