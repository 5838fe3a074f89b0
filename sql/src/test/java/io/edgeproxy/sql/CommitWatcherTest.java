package io.edgeproxy.sql;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.DriverManager;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CommitWatcherTest {
  @TempDir Path dir;

  @Test
  void reportsACommitByAnotherConnectionAndIgnoresOtherFiles() throws Exception {
    Path db = dir.resolve("routing.db");
    Semaphore changes = new Semaphore(0);
    try (RoutingDb routing = RoutingDb.open(db);
        CommitWatcher watcher = CommitWatcher.start(db, changes::release).orElseThrow();
        var other = DriverManager.getConnection("jdbc:sqlite:" + db)) {
      changes.drainPermits();
      Files.writeString(dir.resolve("unrelated.txt"), "x");
      assertThat(changes.tryAcquire(300, TimeUnit.MILLISECONDS)).as("a write to another file").isFalse();
      try (var st = other.createStatement()) {
        st.executeUpdate("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('b1', 'web', 'sa', '10.0.0.1', 80)");
      }
      assertThat(changes.tryAcquire(2, TimeUnit.SECONDS)).as("a commit").isTrue();
    }
  }
}
