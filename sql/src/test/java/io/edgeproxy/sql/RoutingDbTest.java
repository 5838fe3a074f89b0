package io.edgeproxy.sql;

import static io.edgeproxy.core.testing.Sqlite3Cli.exec;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.edgeproxy.core.routing.AppSettings;
import io.edgeproxy.core.routing.Backend;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RoutingDbTest {
  @TempDir Path dir;

  /** The schema shipped with the Rust original (sql/create_routing_db.sql): no country column. */
  private static final String ORIGINAL_SCHEMA = """
      CREATE TABLE backends (id TEXT PRIMARY KEY, app TEXT, region TEXT, wg_ip TEXT, port INTEGER, healthy INTEGER,
        weight INTEGER, soft_limit INTEGER, hard_limit INTEGER, deleted INTEGER DEFAULT 0);
      INSERT INTO backends VALUES ('sa-node-1', 'myapp', 'sa', '10.50.1.1', 8080, 1, 2, 100, 150, 0);
      INSERT INTO backends VALUES ('us-node-1', 'myapp', 'us', '10.50.2.1', 8080, 1, 2, 100, 150, 0);
      INSERT INTO backends VALUES ('eu-node-1', 'myapp', 'eu', '10.50.3.1', 8080, 0, 2, 100, 150, 0);
      INSERT INTO backends VALUES ('old-node', 'myapp', 'eu', '10.50.3.9', 8080, 1, 2, 100, 150, 1);
      """;

  @Test
  void anOriginalFormatRoutingDbIsMigratedNotRejected() {
    Path file = dir.resolve("routing.db");
    exec(file, ORIGINAL_SCHEMA);
    try (RoutingDb db = RoutingDb.open(file)) {
      LoadResult result = db.load(LeaseRule.defaults(), System.currentTimeMillis());
      assertThat(result.problems()).isEmpty();
      assertThat(result.data().backends()).extracting(Backend::id).containsExactly("sa-node-1", "us-node-1", "eu-node-1");
      assertThat(result.data().backends().get(0).country()).isNull();
      assertThat(result.data().backends().get(2).healthy()).isFalse();
    }
    assertThat(exec(file, "PRAGMA user_version;").trim()).isEqualTo(String.valueOf(RoutingDb.migrations().size()));
    assertThat(exec(file, "SELECT name FROM pragma_table_info('backends') WHERE name = 'country';").trim()).isEqualTo("country");
    assertThat(exec(file, "PRAGMA journal_mode;").trim()).isEqualTo("wal");
    // The original's tools keep working on the migrated file.
    exec(file, "INSERT INTO backends (id, app, region, wg_ip, port, healthy, weight, soft_limit, hard_limit)"
        + " VALUES ('ap-node-1', 'myapp', 'ap', '10.50.4.1', 8080, 1, 2, 100, 150);");
    try (RoutingDb db = RoutingDb.open(file)) {
      assertThat(db.load(LeaseRule.defaults(), System.currentTimeMillis()).data().backends()).hasSize(4);
    }
  }

  @Test
  void aNewFileGetsTheFullSchemaAndDefaults() {
    Path file = dir.resolve("sub/dir/routing.db");
    try (RoutingDb db = RoutingDb.open(file)) {
      assertThat(db.load(LeaseRule.defaults(), System.currentTimeMillis()).data().backends()).isEmpty();
    }
    exec(file, "INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('b1', 'web', 'eu', '10.0.0.1', 80);");
    try (RoutingDb db = RoutingDb.open(file)) {
      Backend b = db.load(LeaseRule.defaults(), System.currentTimeMillis()).data().backends().get(0);
      assertThat(b.healthy()).isTrue();
      assertThat(b.weight()).isEqualTo(2);
      assertThat(b.softLimit()).isEqualTo(100);
      assertThat(b.hardLimit()).isEqualTo(150);
    }
  }

  @Test
  void badRowsWrittenByHandAreSkippedEachWithOneLineNamingRowAndProblem() {
    Path file = dir.resolve("routing.db");
    RoutingDb.open(file).close();
    exec(file, """
        INSERT INTO backends (id, app, region, country, wg_ip, port) VALUES ('good', 'web', 'sa', 'br', '10.0.0.1', 8080);
        INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('bad-port', 'web', 'sa', '10.0.0.2', 99999);
        INSERT INTO backends (id, app, region, wg_ip, port, weight) VALUES ('bad-weight', 'web', 'sa', '10.0.0.3', 80, -1);
        INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('no-app', NULL, 'sa', '10.0.0.4', 80);
        INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('mars', 'web', 'mars', '10.0.0.5', 80);
        INSERT INTO backends (id, app, region, wg_ip, port, healthy, soft_limit) VALUES ('many', 'web', 'sa', 'db.example', 'http', 'yes', -3);
        INSERT INTO backends (id, app, region, country, wg_ip, port) VALUES ('v6', 'web', 'eu', 'Germany', '2001:db8::1', 80);
        INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('good ', 'web', 'sa', '10.0.0.8', 80);
        """);
    try (RoutingDb db = RoutingDb.open(file)) {
      LoadResult result = db.load(LeaseRule.defaults(), System.currentTimeMillis());
      assertThat(result.data().backends()).extracting(Backend::id).containsExactly("good");
      assertThat(result.data().backends().get(0).country()).isEqualTo("BR");
      assertThat(result.problems()).containsExactly(
          "backends row id 'bad-port' (rowid 2) skipped: port: 99999 (expected: an integer 1-65535)",
          "backends row id 'bad-weight' (rowid 3) skipped: weight: -1 (expected: an integer 0-10000)",
          "backends row id 'no-app' (rowid 4) skipped: app: NULL (expected: 1-128 letters, digits, '.', '_' or '-')",
          "backends row id 'mars' (rowid 5) skipped: region: 'mars' is unknown (expected: one of ap, eu, sa, us,"
              + " or a region defined in table region_countries)",
          "backends row id 'many' (rowid 6) skipped: wg_ip: 'db.example' (expected: an IPv4 or IPv6 address);"
              + " port: 'http' (expected: an integer 1-65535); healthy: 'yes' (expected: an integer 0-1);"
              + " soft_limit: -3 (expected: an integer 0-10000000)",
          "backends row id 'v6' (rowid 7) skipped: country: 'Germany' (expected: NULL or a two-letter ISO 3166 code)",
          "backends row id 'good ' (rowid 8) skipped: id: 'good ' (expected: non-empty text without leading or trailing spaces)");
    }
  }

  @Test
  void operatorsDefineRegionsAndPerAppSettings() {
    Path file = dir.resolve("routing.db");
    RoutingDb.open(file).close();
    exec(file, """
        INSERT INTO region_countries VALUES ('BR', 'gru'), ('AR', 'eze'), ('XX1', 'bad');
        INSERT INTO apps (name, proxy_protocol) VALUES ('web', 1), ('api', 7);
        INSERT INTO apps (name, protocol, http_redirect) VALUES ('site', 'HTTP', 0), ('odd', 'grpc', 1), ('loop', 'http', 2);
        INSERT INTO apps (name, protocol, cache) VALUES ('cached', 'http', 1), ('halfcached', 'http', 'yes');
        INSERT INTO apps (name, protocol, auth) VALUES ('guarded', 'http', 'token'), ('halfguarded', 'http', 'maybe');
        INSERT INTO apps (name, protocol, auth, cache) VALUES ('typo', 'http', 'token', 'yes'), ('l4', 'tcp', 'token', 0);
        INSERT INTO backends (id, app, region, wg_ip, port) VALUES ('g1', 'web', 'gru', '10.0.0.1', 80);
        """);
    try (RoutingDb db = RoutingDb.open(file)) {
      LoadResult result = db.load(LeaseRule.defaults(), System.currentTimeMillis());
      assertThat(result.data().regions().regionOf("BR")).isEqualTo("gru");
      assertThat(result.data().backends()).extracting(Backend::region).containsExactly("gru");
      assertThat(result.data().apps()).containsEntry("web", new AppSettings("web", true))
          .containsEntry("site", AppSettings.defaults("site").withHttp(AppSettings.Protocol.HTTP, false))
          .containsEntry("cached", AppSettings.defaults("cached").withHttp(AppSettings.Protocol.HTTP, true).withCache(true))
          .containsEntry("guarded", AppSettings.defaults("guarded").withHttp(AppSettings.Protocol.HTTP, true).withClientTokens(true))
          .containsEntry("halfguarded", AppSettings.defaults("halfguarded").withHttp(AppSettings.Protocol.HTTP, true)
              .withClientTokens(true)) // edge auth fails closed
          .containsEntry("typo", AppSettings.defaults("typo").withHttp(AppSettings.Protocol.HTTP, true).withClientTokens(true))
          .containsEntry("l4", AppSettings.defaults("l4").withHttp(AppSettings.Protocol.HTTP, true).withClientTokens(true))
          .doesNotContainKeys("api", "odd", "loop", "halfcached");
      assertThat(result.problems()).containsExactly(
          "region_countries row (rowid 3) skipped: country: 'XX1' (expected: a two-letter ISO 3166 code)",
          "apps row (rowid 2) skipped: proxy_protocol: 7 (expected: 0 or 1)",
          "apps row (rowid 4) skipped: protocol: 'grpc' (expected: 'tcp' or 'http')",
          "apps row (rowid 5) skipped: http_redirect: 2 (expected: 0 or 1)",
          "apps row (rowid 7) skipped: cache: 'yes' (expected: 0 or 1)",
          "apps row (rowid 9) skipped: auth: 'maybe' (expected: 'none' or 'token') (until it is fixed, requests to the app need a"
              + " client token)",
          "apps row (rowid 10) skipped: cache: 'yes' (expected: 0 or 1) (until it is fixed, requests to the app need a client token)",
          "apps row (rowid 11) skipped: auth: 'token' needs protocol 'http' (the edge reads the token from the request) (until it is"
              + " fixed, requests to the app need a client token)");
    }
  }

  @Test
  void aSchemaNewerThanThisBuildIsRefusedWithAClearMessage() {
    Path file = dir.resolve("routing.db");
    exec(file, "PRAGMA user_version = 99;");
    assertThatThrownBy(() -> RoutingDb.open(file))
        .isInstanceOf(RoutingDbException.class)
        .hasMessageContaining("schema version 99").hasMessageContaining("expected: <= " + RoutingDb.migrations().size());
  }

  @Test
  void aFileThatIsNotADatabaseFailsNamingIt() throws Exception {
    Path file = java.nio.file.Files.writeString(dir.resolve("routing.db"), "this is not sqlite, just text ".repeat(100));
    assertThatThrownBy(() -> RoutingDb.open(file))
        .isInstanceOf(RoutingDbException.class)
        .hasMessageStartingWith("cannot open routing.db at " + file);
  }

  @Test
  void backendRowsReadsManyIdsInOrderWithTheirLeasesAndNamesTheMissingOnes() {
    Path file = dir.resolve("routing.db");
    try (RoutingDb db = RoutingDb.open(file)) {
      StringBuilder sql = new StringBuilder("WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 150)"
          + " INSERT INTO backends (id, app, region, wg_ip, port) SELECT 'b' || i, 'web', 'sa', '10.0.0.1', 1000 + i FROM n;");
      sql.append("INSERT INTO registrations (id, app, ttl_ms, expires_ms) VALUES ('b7', 'web', 3000, 12345);");
      sql.append("INSERT INTO registrations (id, app, ttl_ms, expires_ms) VALUES ('b140', 'web', 3000, NULL);");
      exec(file, sql.toString());
      java.util.List<String> ids = new java.util.ArrayList<>();
      for (int i = 150; i >= 1; i--) {
        ids.add("b" + i);
      }
      ids.add(70, "gone"); // in the second statement's range, and no such row
      var rows = LeasedRow.read(db, ids);
      assertThat(rows.keySet()).containsExactlyElementsOf(ids);
      assertThat(rows.get("b150").row().port()).isEqualTo(1150);
      assertThat(rows.get("b1").row().port()).isEqualTo(1001);
      assertThat(rows.get("gone").row()).isNull();
      assertThat(rows.get("gone").expiresMs()).isNull();
      assertThat(rows.get("b7").expiresMs()).isEqualTo(12345L);
      assertThat(rows.get("b140").expiresMs()).isEqualTo(Long.MIN_VALUE / 2); // registered, no expiry recorded
      assertThat(rows.get("b8").expiresMs()).isNull(); // not registered: no lease
    }
  }

  @Test
  void theAppliancesOwnWritesRoundTrip() {
    try (RoutingDb db = RoutingDb.open(dir.resolve("routing.db"))) {
      Backend b = new Backend("x", "web", "eu", "DE", java.net.InetAddress.getLoopbackAddress(), 81, true, 3, 10, 20);
      db.upsertBackend(b);
      db.upsertApp(new AppSettings("web", true));
      assertThat(db.load(LeaseRule.defaults(), System.currentTimeMillis()).data().backends()).containsExactly(b);
      assertThat(db.setHealthy("x", false)).isTrue();
      assertThat(db.load(LeaseRule.defaults(), System.currentTimeMillis()).data().backends().get(0).healthy()).isFalse();
      assertThat(db.markDeleted("x")).isTrue();
      assertThat(db.markDeleted("x")).isFalse();
      assertThat(db.load(LeaseRule.defaults(), System.currentTimeMillis()).data().backends()).isEmpty();
      db.upsertBackend(b); // re-adding undeletes
      assertThat(db.load(LeaseRule.defaults(), System.currentTimeMillis()).data().backends()).containsExactly(b);
    }
  }

  @Test
  void acmeChallengeAnswersAreValidatedLikeEveryOtherRow() {
    Path file = dir.resolve("routing.db");
    RoutingDb.open(file).close();
    exec(file, """
        INSERT INTO acme_challenges (token, key_authorization, hostname, expires_ms) VALUES
          ('tok-EN_1', 'tok-EN_1.thumb_print-9', 'a.example', 1),
          ('bad token', 'bad token.x', 'b.example', 1),
          ('tok2', 'other.thumb', 'c.example', 1);
        """);
    try (RoutingDb db = RoutingDb.open(file)) {
      LoadResult result = db.load(LeaseRule.defaults(), System.currentTimeMillis());
      assertThat(result.data().edge().challenges()).containsExactly(java.util.Map.entry("tok-EN_1", "tok-EN_1.thumb_print-9"));
      assertThat(result.problems()).containsExactly(
          "acme_challenges row (rowid 2) skipped: token: 'bad token' (expected: 1-256 base64url characters)",
          "acme_challenges row (rowid 3) skipped: key_authorization: 'other.thumb' (expected: the token, '.', the account"
              + " key's base64url thumbprint)");
    }
  }

  @Test
  void cachePurgesAreWrittenReadAndBadRowsSkippedWithTheReason() throws Exception {
    Path file = dir.resolve("routing.db");
    try (RoutingDb db = RoutingDb.open(file)) {
      CachePurges purges = new CachePurges(db);
      long now = System.currentTimeMillis();
      io.edgeproxy.core.edge.CachePurge old = purges.add("web", io.edgeproxy.core.edge.CachePurge.Kind.ALL, "", now - 2 * CachePurges.KEEP_MS);
      io.edgeproxy.core.edge.CachePurge path = purges.add("web", io.edgeproxy.core.edge.CachePurge.Kind.PATH, "/a?b=1", now);
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> purges.add("web", io.edgeproxy.core.edge.CachePurge.Kind.PREFIX, "img", now))
          .hasMessage("value: 'img' (expected: a path, '/...')");
      db.write("INSERT INTO cache_purges (id, app, kind, value, created_ms) VALUES ('p-bad', 'web', 'everything', '', 1),"
          + " ('p-bad2', 'web', 'tag', '', 1)");
      LoadResult result = db.load(LeaseRule.defaults(), now);
      assertThat(result.data().edge().purges()).containsExactly(path).doesNotContain(old);
      assertThat(result.problems()).containsExactlyInAnyOrder(
          "cache_purges row (rowid 3) skipped: kind: 'everything' (expected: 'all', 'path', 'prefix' or 'tag')",
          "cache_purges row (rowid 4) skipped: value: '' (expected: a tag)");
    }
  }
}
