package io.edgeproxy.sql;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StatementsTest {
  @TempDir Path dir;

  private static final String COUNT = "SELECT count(*) FROM backends";

  @Test
  void theWritersTransactionsReuseTheStatementsTheyCompiled() throws Exception {
    try (RoutingDb db = RoutingDb.open(dir.resolve("routing.db"))) {
      PreparedStatement first = db.transact(st -> st.prepare(COUNT));
      db.write("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('b-1', 'app', 'sa', '10.0.0.1', 80)");
      PreparedStatement second = db.transact(st -> st.prepare(COUNT));
      assertThat(second).isSameAs(first);
      assertThat(second.isClosed()).isFalse();
      assertThat(db.<Integer>transact(StatementsTest::count)).isEqualTo(1); // and it reads the latest commit
    }
  }

  @Test
  void aStatementThatFailedInARolledBackTransactionWorksInTheNext() {
    String insert = "INSERT INTO backends (id, app, region, wg_ip, port) VALUES (?, 'app', 'sa', '10.0.0.1', 80)";
    try (RoutingDb db = RoutingDb.open(dir.resolve("routing.db"))) {
      db.transact(st -> st.update(insert, "b-1"));
      assertThatThrownBy(() -> db.transact(st -> st.update(insert, "b-2") + st.update(insert, "b-1")))
          .isInstanceOf(RoutingDbException.class).hasMessageContaining("UNIQUE");
      assertThat(db.<Integer>transact(st -> st.update(insert, "b-3"))).isEqualTo(1);
      assertThat(db.<Integer>transact(StatementsTest::count)).as("b-2 rolled back with the failure").isEqualTo(2);
    }
  }

  @Test
  void keptStatementsAreTrimmedToTheirBoundAfterATransactionNeverDuringIt() throws Exception {
    try (RoutingDb db = RoutingDb.open(dir.resolve("routing.db"))) {
      db.readLatest(c -> {
        Statements kept = Statements.kept(c, 2);
        PreparedStatement a = kept.prepare("SELECT 1");
        PreparedStatement b = kept.prepare("SELECT 2");
        PreparedStatement c3 = kept.prepare("SELECT 3");
        assertThat(kept.size()).isEqualTo(3); // all in use until the transaction ends
        assertThat(a.isClosed()).isFalse();
        kept.prepare("SELECT 2"); // used again: now the most recent
        kept.close();
        assertThat(kept.size()).isEqualTo(2);
        assertThat(a.isClosed()).isTrue(); // the least recently used went
        assertThat(b.isClosed()).isFalse();
        assertThat(c3.isClosed()).isFalse();
        assertThat(kept.prepare("SELECT 1")).isNotSameAs(a); // compiled again when asked for
        kept.closeAll();
        assertThat(kept.size()).isZero();
        assertThat(b.isClosed()).isTrue();
        return null;
      });
    }
  }

  @Test
  void aRoutingDbReplacedOnDiskIsReadWithFreshStatements() throws Exception {
    Path file = dir.resolve("routing.db");
    Path other = dir.resolve("other.db");
    try (RoutingDb replacement = RoutingDb.open(other)) {
      replacement.write("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('b-1', 'app', 'sa', '10.0.0.1', 80)");
      replacement.write("INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('b-2', 'app', 'sa', '10.0.0.2', 80)");
    }
    try (RoutingDb db = RoutingDb.open(file)) {
      PreparedStatement before = db.transact(st -> st.prepare(COUNT));
      assertThat(db.<Integer>transact(StatementsTest::count)).isZero();
      Files.move(other, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      Files.deleteIfExists(dir.resolve("routing.db-wal")); // the replaced file's, as an operator's swap leaves them
      Files.deleteIfExists(dir.resolve("routing.db-shm"));
      db.foreignChangeStamp(); // notices the new file and reopens it
      assertThat(before.isClosed()).isTrue();
      assertThat(db.<Integer>transact(StatementsTest::count)).isEqualTo(2);
    }
  }

  private static int count(Statements st) throws java.sql.SQLException {
    try (ResultSet rs = st.prepare(COUNT).executeQuery()) {
      return rs.getInt(1);
    }
  }
}
