package io.edgeproxy.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EdgeConfigTest {
  @Test
  void defaultsAreTheOriginals() {
    EdgeConfig c = EdgeConfig.defaults();
    assertThat(c.proxy().listeners()).hasSize(1);
    assertThat(c.proxy().listeners().get(0).address().getPort()).isEqualTo(8080);
    assertThat(c.proxy().listeners().get(0).app()).isEqualTo("*");
    assertThat(c.node().dbPath()).isEqualTo(Path.of("routing.db"));
    assertThat(c.node().region()).isEqualTo("sa");
    assertThat(c.node().dbReload()).isEqualTo(Duration.ofSeconds(5));
    assertThat(c.affinity().ttl()).isEqualTo(Duration.ofSeconds(600));
    assertThat(c.affinity().gcInterval()).isEqualTo(Duration.ofSeconds(60));
    assertThat(c.geo().databasePath()).isNull();
    assertThat(c.node().debug()).isFalse();
  }

  @Test
  void theOriginalsEnvironmentVariablesAreRead() {
    EdgeConfig c = EdgeConfig.load(Map.of(
        "EDGEPROXY_LISTEN_ADDR", "127.0.0.1:9000",
        "EDGEPROXY_DB_PATH", "/tmp/r.db",
        "EDGEPROXY_REGION", "eu",
        "EDGEPROXY_DB_RELOAD_SECS", "2",
        "EDGEPROXY_BINDING_TTL_SECS", "30",
        "EDGEPROXY_BINDING_GC_INTERVAL_SECS", "7",
        "EDGEPROXY_GEOIP_PATH", "/data/GeoLite2-Country.mmdb",
        "DEBUG", "1",
        "EDGEPROXY_APP", "web",
        "EDGEPROXY_LISTENERS", "api=127.0.0.1:9001, db=[::1]:9002"), Map.of());
    assertThat(c.proxy().listeners()).extracting(ListenerConfig::app).containsExactly("web", "api", "db");
    assertThat(c.proxy().listeners().get(2).address().getPort()).isEqualTo(9002);
    assertThat(c.node().dbPath()).isEqualTo(Path.of("/tmp/r.db"));
    assertThat(c.node().region()).isEqualTo("eu");
    assertThat(c.node().dbReload()).isEqualTo(Duration.ofSeconds(2));
    assertThat(c.affinity().ttl()).isEqualTo(Duration.ofSeconds(30));
    assertThat(c.affinity().gcInterval()).isEqualTo(Duration.ofSeconds(7));
    assertThat(c.geo().databasePath()).isEqualTo(Path.of("/data/GeoLite2-Country.mmdb"));
    assertThat(c.node().debug()).isTrue();
  }

  @Test
  void flagsWinOverTheEnvironment() {
    EdgeConfig c = EdgeConfig.load(Map.of("EDGEPROXY_REGION", "eu"), Map.of(ConfigKey.REGION, "ap"));
    assertThat(c.node().region()).isEqualTo("ap");
    assertThat(c.effective()).contains("EDGEPROXY_REGION=ap (--region)");
  }

  @Test
  void debugIsOnWhenSetAtAllAsInTheOriginal() {
    assertThat(EdgeConfig.load(Map.of("DEBUG", "yes please"), Map.of()).node().debug()).isTrue();
    assertThat(EdgeConfig.load(Map.of("DEBUG", "0"), Map.of()).node().debug()).isFalse();
  }

  @Test
  void aTombstoneLifeShorterThanTenSyncIntervalsIsRefused() {
    Map<String, String> base = Map.of("EDGEPROXY_REPLICATION_ENABLED", "true", "EDGEPROXY_REPLICATION_SYNC_INTERVAL_MS", "1500");
    assertThatThrownBy(() -> EdgeConfig.load(with(base, "EDGEPROXY_REPLICATION_TOMBSTONE_TTL_SECS", "14"), Map.of()))
        .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems()).singleElement().asString()
            .startsWith("EDGEPROXY_REPLICATION_TOMBSTONE_TTL_SECS").contains("14 s is less than 10 sync intervals (15000 ms)"));
    assertThat(EdgeConfig.load(with(base, "EDGEPROXY_REPLICATION_TOMBSTONE_TTL_SECS", "15"), Map.of()).replication().tombstoneTtl())
        .isEqualTo(Duration.ofSeconds(15));
  }

  @Test
  void everyInvalidValueIsReportedWithKeyValueAndExpectation() {
    assertThatThrownBy(() -> EdgeConfig.load(Map.of(
            "EDGEPROXY_LISTEN_ADDR", "0.0.0.0:99999",
            "EDGEPROXY_DB_RELOAD_SECS", "soon",
            "EDGEPROXY_REGION", "South America",
            "EDGEPROXY_BINDING_TTL_SECS", "-1",
            "EDGEPROXY_LISTENERS", "api:9001"), Map.of()))
        .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems()).containsExactlyInAnyOrder(
            "EDGEPROXY_LISTEN_ADDR (--listen): \"0.0.0.0:99999\" is not a valid address (expected: host:port, port 0-65535)",
            "EDGEPROXY_DB_RELOAD_SECS (--db-reload-secs): \"soon\" is not a whole number (expected: whole seconds >= 1)",
            "EDGEPROXY_REGION (--region): \"South America\" is not a region code (expected: a region code: lower-case letters, digits or '-', 1-32 characters)",
            "EDGEPROXY_BINDING_TTL_SECS (--binding-ttl-secs): \"-1\" is out of range (expected: whole seconds >= 0)",
            "EDGEPROXY_LISTENERS (--listeners): \"api:9001\" has a bad entry \"api:9001\" (expected: app=host:port[,app=host:port...])"));
  }

  @Test
  void cacheSizesTakeSuffixesAndTheDiskTierIsOffUnlessADirectoryIsGiven() {
    EdgeConfig memoryOnly = EdgeConfig.load(Map.of("EDGEPROXY_TLS_ENABLED", "true"), Map.of());
    assertThat(memoryOnly.tls().cache().dir()).isNull();
    EdgeConfig c = EdgeConfig.load(Map.of("EDGEPROXY_TLS_ENABLED", "true", "EDGEPROXY_CACHE_MEMORY_BYTES", "512m",
        "EDGEPROXY_CACHE_MAX_OBJECT_BYTES", "2G", "EDGEPROXY_CACHE_DIR", "/var/cache/edgeproxy", "EDGEPROXY_CACHE_MAX_BYTES", "1t"),
        Map.of());
    assertThat(c.tls().cache().memoryBytes()).isEqualTo(512L << 20);
    assertThat(c.tls().cache().maxObjectBytes()).isEqualTo(2L << 30);
    assertThat(c.tls().cache().dir()).hasToString("/var/cache/edgeproxy");
    assertThat(c.tls().cache().maxBytes()).isEqualTo(1L << 40);
    assertThatThrownBy(() -> EdgeConfig.load(Map.of("EDGEPROXY_TLS_ENABLED", "true", "EDGEPROXY_CACHE_MAX_BYTES", "1.5g"), Map.of()))
        .hasMessageContaining("EDGEPROXY_CACHE_MAX_BYTES (--cache-max-bytes): \"1.5g\" is not a size (e.g. 1048576, 512m, 10g)");
  }

  @Test
  void replicationIsAbsentUnlessEnabledAndTheClusterKeyNeverReachesTheLog() {
    assertThat(EdgeConfig.defaults().replication()).isNull();
    String key = "c2VjcmV0LXNlY3JldC1zZWNyZXQtc2VjcmV0LXNlY3JldA==";
    EdgeConfig c = EdgeConfig.load(Map.of("EDGEPROXY_REPLICATION_ENABLED", "true",
        "EDGEPROXY_REPLICATION_BOOTSTRAP_PEERS", "pop-a.example:4001, 10.0.0.2:4001",
        "EDGEPROXY_REPLICATION_CLUSTER_KEY", key, "EDGEPROXY_REPLICATION_NODE_ID", "gru-1"), Map.of());
    assertThat(c.replication()).isNotNull();
    assertThat(c.replication().bootstrapPeers()).containsExactly("pop-a.example:4001", "10.0.0.2:4001");
    assertThat(c.replication().nodeId()).isEqualTo("gru-1");
    assertThat(String.join("\n", c.effective())).contains("EDGEPROXY_REPLICATION_CLUSTER_KEY=<redacted>").doesNotContain(key);
    assertThat(c.replication().toString()).doesNotContain(key);
    assertThatThrownBy(() -> EdgeConfig.load(Map.of("EDGEPROXY_REPLICATION_ENABLED", "1",
            "EDGEPROXY_REPLICATION_CLUSTER_KEY", "dG9vLXNob3J0"), Map.of()))
        .hasMessageContaining("EDGEPROXY_REPLICATION_CLUSTER_KEY (--cluster-key): the value given is too short")
        .hasMessageNotContaining("dG9vLXNob3J0");
  }

  @Test
  void theWireGuardMeshNeedsReplicationAndAnOverlayAddress() {
    assertThat(EdgeConfig.load(Map.of("EDGEPROXY_REPLICATION_ENABLED", "1"), Map.of()).replication().wireGuard()).isNull();
    EdgeConfig c = EdgeConfig.load(Map.of("EDGEPROXY_REPLICATION_ENABLED", "1", "EDGEPROXY_WG_ENABLED", "1",
        "EDGEPROXY_WG_ADDRESS", "fdaa:0:1::1/48", "EDGEPROXY_WG_SUBNETS", "10.50.1.0/24, fdaa:0:1:5::/64"), Map.of());
    WireGuardConfig wg = c.replication().wireGuard();
    assertThat(wg.interfaceName()).isEqualTo("wg0");
    assertThat(wg.manageInterface()).isTrue();
    assertThat(wg.listenPort()).isEqualTo(51820);
    assertThat(wg.addressWithPrefix()).isEqualTo("fdaa:0:1:0:0:0:0:1/48");
    assertThat(wg.subnets()).hasToString("[10.50.1.0/24, fdaa:0:1:5:0:0:0:0/64]");
    assertThat(EdgeConfig.load(Map.of("EDGEPROXY_REPLICATION_ENABLED", "1"), Map.of(ConfigKey.WG_ENABLED, "true",
        ConfigKey.WG_ADDRESS, "10.50.0.7/16", ConfigKey.WG_INTERFACE, "wg-edge", ConfigKey.WG_LISTEN_PORT, "51821",
        ConfigKey.WG_MANAGE_INTERFACE, "false"))
        .replication().wireGuard()).isEqualTo(new WireGuardConfig("wg-edge", io.edgeproxy.core.geo.IpAddresses.parseLiteral("10.50.0.7").orElseThrow(), 16, 51821,
            java.util.List.of(), false));
    assertThatThrownBy(() -> EdgeConfig.load(Map.of("EDGEPROXY_WG_ENABLED", "1", "EDGEPROXY_WG_ADDRESS", "10.50.0.1/16"), Map.of()))
        .hasMessageContaining("EDGEPROXY_WG_ENABLED (--wg): is on while EDGEPROXY_REPLICATION_ENABLED is off");
    assertThatThrownBy(() -> EdgeConfig.load(Map.of("EDGEPROXY_REPLICATION_ENABLED", "1", "EDGEPROXY_WG_ENABLED", "1",
            "EDGEPROXY_WG_ADDRESS", "10.50.0.1/16", "EDGEPROXY_WG_SUBNETS", "0.0.0.0/0"), Map.of()))
        .hasMessageContaining("EDGEPROXY_WG_SUBNETS (--wg-subnets): has 0.0.0.0/0, every address there is");
    assertThatThrownBy(() -> EdgeConfig.load(Map.of("EDGEPROXY_REPLICATION_ENABLED", "1", "EDGEPROXY_WG_ENABLED", "1"), Map.of()))
        .hasMessageContaining("EDGEPROXY_WG_ADDRESS (--wg-address): is empty while EDGEPROXY_WG_ENABLED is on");
    assertThatThrownBy(() -> EdgeConfig.load(Map.of("EDGEPROXY_REPLICATION_ENABLED", "1", "EDGEPROXY_WG_ENABLED", "1",
            "EDGEPROXY_WG_ADDRESS", "10.50.0.1", "EDGEPROXY_WG_LISTEN_PORT", "70000", "EDGEPROXY_WG_INTERFACE", "a-name-far-too-long"),
            Map.of()))
        .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "EDGEPROXY_WG_ADDRESS (--wg-address): \"10.50.0.1\" is not an address with a prefix (expected: empty, or ip/prefix"
                + " with an IP literal, e.g. 10.50.0.1/16 or fdaa:0:1::1/48)",
            "EDGEPROXY_WG_LISTEN_PORT (--wg-listen-port): \"70000\" is not a port (expected: a port, 1-65535)",
            "EDGEPROXY_WG_INTERFACE (--wg-interface): \"a-name-far-too-long\" is not an interface name (expected: a network"
                + " interface name: 1-15 letters, digits, '_', '-', '.', '=' or '+')"));
  }

  @Test
  void twoListenersOnOneAddressAreRefused() {
    assertThatThrownBy(() -> EdgeConfig.load(Map.of("EDGEPROXY_LISTEN_ADDR", "127.0.0.1:9000",
            "EDGEPROXY_LISTENERS", "web=127.0.0.1:9000"), Map.of()))
        .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "EDGEPROXY_LISTENERS (--listeners): \"web=127.0.0.1:9000\" repeats the address 127.0.0.1:9000 (of the default"
                + " listener or another entry) (expected: app=host:port[,app=host:port...])"));
  }

  @Test
  void apiTlsTakesBothCertificateAndKeyOrNeither(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path cert = java.nio.file.Files.writeString(dir.resolve("api.pem"), "not checked here");
    Path missing = dir.resolve("nope.key");
    Map<String, String> api = Map.of("EDGEPROXY_API_ENABLED", "1", "EDGEPROXY_API_TLS", "on");
    assertThatThrownBy(() -> EdgeConfig.load(with(api, "EDGEPROXY_TLS_CERT", cert.toString()), Map.of()))
        .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "EDGEPROXY_TLS_KEY (--tls-key): is empty while EDGEPROXY_TLS_CERT is set (set both, or neither for a self-signed"
                + " certificate)"));
    Map<String, String> both = with(with(api, "EDGEPROXY_TLS_CERT", cert.toString()), "EDGEPROXY_TLS_KEY", missing.toString());
    assertThatThrownBy(() -> EdgeConfig.load(both, Map.of()))
        .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems()).containsExactly(
            "EDGEPROXY_TLS_KEY (--tls-key): \"" + missing + "\" is not a readable file (expected: empty, or a readable file)"));
    assertThat(EdgeConfig.load(api, Map.of()).api().tls()).isEqualTo(new ApiConfig.Tls(null)); // self-signed
    assertThat(EdgeConfig.load(Map.of("EDGEPROXY_API_ENABLED", "1"), Map.of()).api().tls()).isNull(); // plain HTTP by default
  }

  @Test
  void theHttpsEdgeTakesTheOriginalsVariablesAndAPlainHttpListenerNeedsIt() {
    EdgeTlsConfig tls = EdgeConfig.load(Map.of("EDGEPROXY_TLS_ENABLED", "true", "EDGEPROXY_APP", "web",
        "EDGEPROXY_DOMAIN", "Apps.Example.COM.", "EDGEPROXY_HTTP_LISTEN_ADDR", "0.0.0.0:80"), Map.of()).tls();
    assertThat(tls.listen()).isEqualTo(new java.net.InetSocketAddress("0.0.0.0", 8443)); // the original's default
    assertThat(tls.domain()).isEqualTo("apps.example.com");
    assertThat(tls.defaultApp()).isEqualTo("web");
    assertThat(tls.provider()).isEqualTo(EdgeTlsConfig.Provider.AUTO);
    assertThat(tls.httpListen()).isEqualTo(new java.net.InetSocketAddress("0.0.0.0", 80));
    assertThat(EdgeConfig.load(Map.of("EDGEPROXY_TLS_ENABLED", "1"), Map.of()).tls().defaultApp())
        .as("'*' (every app's backends) is no default app: a name nothing routes reaches no backend").isNull();
    assertThat(EdgeConfig.defaults().tls()).isNull();
    assertThatThrownBy(() -> EdgeConfig.load(Map.of("EDGEPROXY_HTTP_LISTEN_ADDR", "0.0.0.0:80"), Map.of()))
        .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems()).singleElement().asString()
            .startsWith("EDGEPROXY_HTTP_LISTEN_ADDR (--http-listen): is set while EDGEPROXY_TLS_ENABLED is off"));
  }

  @Test
  void acmeTakesADirectoryAndNeedsThePlainHttpListenerAndTheHttpsEdge() {
    EdgeTlsConfig tls = EdgeConfig.load(Map.of("EDGEPROXY_TLS_ENABLED", "true", "EDGEPROXY_HTTP_LISTEN_ADDR", "0.0.0.0:80",
        "EDGEPROXY_ACME_DIRECTORY", "https://acme-v02.api.letsencrypt.org/directory", "EDGEPROXY_ACME_EMAIL", "ops@example.com"),
        Map.of()).tls();
    assertThat(tls.acme()).isEqualTo(new AcmeConfig(java.net.URI.create("https://acme-v02.api.letsencrypt.org/directory"),
        "ops@example.com", null));
    assertThat(EdgeConfig.load(Map.of("EDGEPROXY_TLS_ENABLED", "true"), Map.of()).tls().acme()).as("off by default").isNull();
    assertThatThrownBy(() -> EdgeConfig.load(Map.of("EDGEPROXY_TLS_ENABLED", "true",
        "EDGEPROXY_ACME_DIRECTORY", "https://acme.example/dir"), Map.of()))
        .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems()).singleElement().asString()
            .startsWith("EDGEPROXY_ACME_DIRECTORY (--acme-directory): is set while EDGEPROXY_HTTP_LISTEN_ADDR is empty"));
    assertThatThrownBy(() -> EdgeConfig.load(Map.of("EDGEPROXY_ACME_DIRECTORY", "https://acme.example/dir"), Map.of()))
        .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems()).singleElement().asString()
            .startsWith("EDGEPROXY_ACME_DIRECTORY (--acme-directory): is set while EDGEPROXY_TLS_ENABLED is off"));
    assertThatThrownBy(() -> EdgeConfig.load(Map.of("EDGEPROXY_TLS_ENABLED", "true", "EDGEPROXY_HTTP_LISTEN_ADDR", "0.0.0.0:80",
        "EDGEPROXY_ACME_DIRECTORY", "ftp://acme.example/dir", "EDGEPROXY_ACME_EMAIL", "nobody"), Map.of()))
        .isInstanceOfSatisfying(InvalidConfigException.class, e -> assertThat(e.problems()).hasSize(2)
            .anySatisfy(p -> assertThat(p).startsWith("EDGEPROXY_ACME_DIRECTORY (--acme-directory): \"ftp://acme.example/dir\" is"
                + " not an http(s) URL"))
            .anySatisfy(p -> assertThat(p).startsWith("EDGEPROXY_ACME_EMAIL (--acme-email): \"nobody\" is not an e-mail address")));
  }

  private static Map<String, String> with(Map<String, String> env, String key, String value) {
    Map<String, String> out = new java.util.HashMap<>(env);
    out.put(key, value);
    return out;
  }

  @Test
  void testProfileBindsLoopbackOnAnyPort(@org.junit.jupiter.api.io.TempDir Path dir) {
    EdgeConfig c = EdgeConfig.forTest(dir);
    assertThat(c.proxy().listeners().get(0).address().getAddress().isLoopbackAddress()).isTrue();
    assertThat(c.proxy().listeners().get(0).address().getPort()).isZero();
    assertThat(c.node().dbPath()).isEqualTo(dir.resolve("routing.db"));
  }
}
