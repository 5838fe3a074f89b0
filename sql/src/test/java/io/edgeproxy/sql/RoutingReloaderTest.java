package io.edgeproxy.sql;

import static io.edgeproxy.core.testing.Sqlite3Cli.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.routing.LoadBoard;
import io.edgeproxy.core.routing.RoutingState;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

@Timeout(60)
class RoutingReloaderTest {
  @TempDir Path dir;
  private Path file;
  private RoutingDb db;
  private final RoutingState state = new RoutingState("sa", new LoadBoard());
  private RoutingReloader reloader;
  private final ListAppender<ILoggingEvent> log = new ListAppender<>();

  @BeforeEach
  void open() {
    file = dir.resolve("routing.db");
    db = RoutingDb.open(file);
    exec(file, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('a', 'web', 'sa', '10.0.0.1', 80);");
    reloader = new RoutingReloader(db, state);
    reloader.reloadNow();
    Logger logger = (Logger) LoggerFactory.getLogger(RoutingReloader.class);
    log.start();
    logger.addAppender(log);
  }

  @AfterEach
  void close() {
    ((Logger) LoggerFactory.getLogger(RoutingReloader.class)).detachAppender(log);
    reloader.close();
    db.close();
  }

  private List<String> warnings() {
    return log.list.stream().filter(e -> e.getLevel() == Level.WARN).map(ILoggingEvent::getFormattedMessage).toList();
  }

  @Test
  void anSqlite3EditTakesEffectWithinTheReloadInterval() {
    reloader.start(Duration.ofMillis(200));
    exec(file, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('b', 'web', 'sa', '10.0.0.2', 80);"
        + "UPDATE backends SET healthy = 0 WHERE id = 'a';");
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> {
      assertThat(state.current().backends()).extracting(Backend::id).containsExactly("a", "b");
      assertThat(state.current().backends().get(0).healthy()).isFalse();
    });
  }

  @Test
  void anUnchangedDatabaseIsNotReread() throws Exception {
    long version = state.current().version();
    for (int i = 0; i < 5; i++) {
      reloader.reloadIfChanged();
    }
    assertThat(state.current().version()).isEqualTo(version);
    exec(file, "UPDATE backends SET weight = 5;");
    reloader.reloadIfChanged();
    assertThat(state.current().version()).isEqualTo(version + 1);
    reloader.reloadIfChanged();
    assertThat(state.current().version()).isEqualTo(version + 1);
  }

  @Test
  void whileWritesAreReportedOnlyAnotherProcesssCommitRereadsTheFile() {
    db.write("UPDATE backends SET weight = 3"); // before the switch: not lost to it
    reloader.writesReported(true);
    assertThat(state.current().backends().getFirst().weight()).isEqualTo(3);
    long version = state.current().version();
    for (int i = 0; i < 3; i++) { // this process's bookkeeping commits (replication's last sync, members, holds)
      db.write("INSERT INTO __edge_meta (key, value) VALUES ('k', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value", i);
      reloader.reloadIfChanged();
    }
    assertThat(state.current().version()).as("no full re-read for this process's own commits").isEqualTo(version);
    db.setHealthy("a", false); // an own write that changes routing reaches it as replication does: reported
    reloader.applyChanges(List.of(new RowKey(Tables.BACKENDS, "a")));
    assertThat(state.current().backends().getFirst().healthy()).isFalse();

    exec(file, "UPDATE backends SET weight = 7;"); // sqlite3: another process
    reloader.reloadIfChanged();
    assertThat(state.current().backends().getFirst().weight()).isEqualTo(7);

    reloader.writesReported(false); // replication stopped: own commits are re-read again
    db.write("UPDATE backends SET weight = 9");
    reloader.reloadIfChanged();
    assertThat(state.current().backends().getFirst().weight()).isEqualTo(9);
  }

  @Test
  void theAppliancesOwnWritesApplyAtOnceWithReloadNow() {
    db.setHealthy("a", false);
    reloader.reloadNow();
    assertThat(state.current().backends().get(0).healthy()).isFalse();
  }

  @Test
  void aBadRowIsWarnedAboutOnceNotOnEveryReload() {
    exec(file, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('bad', 'web', 'sa', '10.0.0.9', 99999);");
    reloader.reloadIfChanged();
    exec(file, "UPDATE backends SET weight = 3 WHERE id = 'a';");
    reloader.reloadIfChanged();
    assertThat(warnings()).containsExactly(
        "routing.db: backends row id 'bad' (rowid 2) skipped: port: 99999 (expected: an integer 1-65535)");
    assertThat(state.current().backends()).extracting(Backend::id).containsExactly("a");
  }

  @Test
  void anUnreadableDatabaseKeepsTheLastGoodSnapshot() {
    long version = state.current().version();
    exec(file, "ALTER TABLE backends RENAME TO backends_gone;");
    reloader.reloadIfChanged();
    assertThat(state.current().version()).isEqualTo(version);
    assertThat(state.current().backends()).extracting(Backend::id).containsExactly("a");
    assertThat(warnings()).singleElement().asString().contains("no such table: backends").contains("keeping routing snapshot v" + version);
    exec(file, "ALTER TABLE backends_gone RENAME TO backends;");
    reloader.reloadIfChanged();
    assertThat(state.current().version()).isEqualTo(version + 1);
  }

  @Test
  void aReplacedFileIsNoticed() throws Exception {
    Path other = dir.resolve("new.db");
    try (RoutingDb fresh = RoutingDb.open(other)) {
      fresh.upsertBackend(new Backend("z", "web", "eu", null, java.net.InetAddress.getLoopbackAddress(), 90, true, 1, 1, 1));
    }
    Files.move(other, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    Files.deleteIfExists(dir.resolve("routing.db-wal"));
    Files.deleteIfExists(dir.resolve("routing.db-shm"));
    reloader.reloadIfChanged();
    assertThat(state.current().backends()).extracting(Backend::id).containsExactly("z");
  }
}
