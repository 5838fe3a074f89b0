package io.edgeproxy.core.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;
import static org.quicktheories.QuickTheory.qt;
import static org.quicktheories.generators.SourceDSL.integers;
import static org.quicktheories.generators.SourceDSL.longs;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ConfigPropertiesTest {
  /** A valid value for each key. */
  private static final Map<ConfigKey, String> VALID = Map.ofEntries(
      Map.entry(ConfigKey.LISTEN_ADDR, "127.0.0.1:8081"),
      Map.entry(ConfigKey.APP, "web"),
      Map.entry(ConfigKey.LISTENERS, "api=127.0.0.1:9001"),
      Map.entry(ConfigKey.ADMIN_ADDR, "127.0.0.1:9100"),
      Map.entry(ConfigKey.DB_PATH, "/var/lib/edgeproxy/routing.db"),
      Map.entry(ConfigKey.REGION, "eu"),
      Map.entry(ConfigKey.DB_RELOAD_SECS, "3"),
      Map.entry(ConfigKey.BINDING_TTL_SECS, "0"),
      Map.entry(ConfigKey.BINDING_GC_INTERVAL_SECS, "9"),
      Map.entry(ConfigKey.BINDING_MAX, "10"),
      Map.entry(ConfigKey.GEOIP_PATH, ""),
      Map.entry(ConfigKey.CONNECT_TIMEOUT_MS, "250"),
      Map.entry(ConfigKey.CONNECT_ATTEMPTS, "2"),
      Map.entry(ConfigKey.EJECT_AFTER_FAILURES, "0"),
      Map.entry(ConfigKey.EJECT_SECS, "1"),
      Map.entry(ConfigKey.IDLE_TIMEOUT_SECS, "0"),
      Map.entry(ConfigKey.DRAIN_SECS, "0"),
      Map.entry(ConfigKey.TRANSPORT, "nio"),
      Map.entry(ConfigKey.IO_THREADS, "1"),
      Map.entry(ConfigKey.REPLICATION_ENABLED, "true"),
      Map.entry(ConfigKey.REPLICATION_NODE_ID, "pop-1"),
      Map.entry(ConfigKey.REPLICATION_GOSSIP_ADDR, "127.0.0.1:4001"),
      Map.entry(ConfigKey.REPLICATION_TRANSPORT_ADDR, "127.0.0.1:4002"),
      Map.entry(ConfigKey.REPLICATION_ADVERTISE_HOST, "pop-1.example.net"),
      Map.entry(ConfigKey.REPLICATION_BOOTSTRAP_PEERS, "pop-2.example.net:4001,10.0.0.3:4001"),
      Map.entry(ConfigKey.REPLICATION_CLUSTER_NAME, "prod"),
      Map.entry(ConfigKey.REPLICATION_CLUSTER_KEY, "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA="),
      Map.entry(ConfigKey.REPLICATION_TLS_DIR, "/etc/edgeproxy/tls"),
      Map.entry(ConfigKey.REPLICATION_SYNC_INTERVAL_MS, "1000"),
      Map.entry(ConfigKey.REPLICATION_GOSSIP_INTERVAL_MS, "100"),
      Map.entry(ConfigKey.REPLICATION_TOMBSTONE_TTL_SECS, "86400"),
      Map.entry(ConfigKey.REPLICATION_MAX_CLOCK_SKEW_MS, "250"),
      Map.entry(ConfigKey.WG_ENABLED, "true"),
      Map.entry(ConfigKey.WG_ADDRESS, "10.50.0.1/16"),
      Map.entry(ConfigKey.WG_LISTEN_PORT, "51820"),
      Map.entry(ConfigKey.WG_INTERFACE, "wg-edge"),
      Map.entry(ConfigKey.WG_SUBNETS, "10.50.1.0/24,fdaa:0:1::/48"),
      Map.entry(ConfigKey.WG_MANAGE_INTERFACE, "false"),
      Map.entry(ConfigKey.API_ENABLED, "true"),
      Map.entry(ConfigKey.API_TLS, "true"),
      Map.entry(ConfigKey.TLS_ENABLED, "true"),
      Map.entry(ConfigKey.TLS_LISTEN_ADDR, "0.0.0.0:443"),
      Map.entry(ConfigKey.DOMAIN, "apps.example.com"),
      Map.entry(ConfigKey.TLS_CERTS_DIR, directory()),
      Map.entry(ConfigKey.TLS_HELLO_TIMEOUT_MS, "5000"),
      Map.entry(ConfigKey.HTTP_BACKEND_TIMEOUT_MS, "30000"),
      Map.entry(ConfigKey.HTTP_ACCESS_LOG, "false"),
      Map.entry(ConfigKey.TCP_ACCESS_LOG, "true"),
      Map.entry(ConfigKey.CACHE_MEMORY_BYTES, "1048576"),
      Map.entry(ConfigKey.CACHE_MAX_OBJECT_BYTES, "64k"),
      Map.entry(ConfigKey.CACHE_DIR, "/var/cache/edgeproxy"),
      Map.entry(ConfigKey.CACHE_MAX_BYTES, "10g"),
      Map.entry(ConfigKey.TUNNEL_ENABLED, "true"),
      Map.entry(ConfigKey.TUNNEL_LISTEN_ADDR, "0.0.0.0:4443"),
      Map.entry(ConfigKey.ACME_DIRECTORY, "https://acme.example/directory"),
      Map.entry(ConfigKey.ACME_EMAIL, "ops@example.com"),
      Map.entry(ConfigKey.ACME_CA_CERTS, readableFile("acme-ca.pem")),
      Map.entry(ConfigKey.TLS_PROVIDER, "jdk"),
      Map.entry(ConfigKey.HTTP_LISTEN_ADDR, "0.0.0.0:80"),
      Map.entry(ConfigKey.TLS_CERT, readableFile("api.pem")),
      Map.entry(ConfigKey.TLS_KEY, readableFile("api.key")),
      Map.entry(ConfigKey.API_LISTEN_ADDR, "127.0.0.1:8081"),
      Map.entry(ConfigKey.HEARTBEAT_TTL_SECS, "30"),
      Map.entry(ConfigKey.DEREGISTER_AFTER_SECS, "300"),
      Map.entry(ConfigKey.DNS_ENABLED, "true"),
      Map.entry(ConfigKey.DNS_LISTEN_ADDR, "127.0.0.1:5353"),
      Map.entry(ConfigKey.DNS_DOMAIN, "internal"),
      Map.entry(ConfigKey.DNS_TTL_SECS, "5"),
      Map.entry(ConfigKey.DNS_RATE_LIMIT, "100"),
      Map.entry(ConfigKey.DNS_UPSTREAMS, "10.0.0.2:53,[fd00::53]:5300"),
      Map.entry(ConfigKey.DNS_ALLOW_FROM, "0.0.0.0/0,::/0"),
      Map.entry(ConfigKey.DNS_FORWARD_FROM, "10.0.0.0/8,fd00::/8"),
      Map.entry(ConfigKey.DNS_UPSTREAM_TIMEOUT_MS, "500"),
      Map.entry(ConfigKey.LOG_FORMAT, "JSON"),
      Map.entry(ConfigKey.DEBUG, "off"));
  /** A file that exists (the TLS keys want readable files; their content is checked at start, not here). */
  private static String readableFile(String name) {
    try {
      java.nio.file.Path file = java.nio.file.Files.createTempFile("config-sample-", "-" + name);
      file.toFile().deleteOnExit();
      return file.toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** A directory that exists (EDGEPROXY_TLS_CERTS_DIR). */
  private static String directory() {
    try {
      java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("config-sample-certs");
      dir.toFile().deleteOnExit();
      return dir.toString();
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  /** Keys where any text is acceptable (paths) or that accept anything by the original's rule (DEBUG). */
  private static final Set<ConfigKey> ANYTHING_GOES = Set.of(ConfigKey.DB_PATH, ConfigKey.GEOIP_PATH, ConfigKey.DEBUG,
      ConfigKey.REPLICATION_TLS_DIR, ConfigKey.CACHE_DIR);

  @Test
  void everyKeyHasAValidSample() {
    assertThat(VALID.keySet()).containsExactlyInAnyOrder(ConfigKey.values());
  }

  @Test
  void anySubsetOfValidValuesLoads() {
    // Two masks: there are more than 64 keys (one long used to be shifted past its width and covered only the first few).
    qt().forAll(longs().all(), longs().all()).checkAssert((low, high) -> {
      Map<String, String> env = new HashMap<>();
      for (ConfigKey key : ConfigKey.values()) {
        long mask = key.ordinal() < 64 ? low : high;
        if ((mask & (1L << (key.ordinal() % 64))) != 0) {
          env.put(key.env(), VALID.get(key));
        }
      }
      if (env.containsKey(ConfigKey.TLS_CERT.env()) != env.containsKey(ConfigKey.TLS_KEY.env())) {
        // The certificate and its key go together (either alone is refused, see EdgeConfigTest).
        env.put(ConfigKey.TLS_CERT.env(), VALID.get(ConfigKey.TLS_CERT));
        env.put(ConfigKey.TLS_KEY.env(), VALID.get(ConfigKey.TLS_KEY));
      }
      if (env.containsKey(ConfigKey.ACME_DIRECTORY.env())) {
        env.put(ConfigKey.HTTP_LISTEN_ADDR.env(), VALID.get(ConfigKey.HTTP_LISTEN_ADDR)); // HTTP-01 needs the plain listener
      }
      if (env.containsKey(ConfigKey.HTTP_LISTEN_ADDR.env()) || env.containsKey(ConfigKey.TUNNEL_ENABLED.env())) {
        env.put(ConfigKey.TLS_ENABLED.env(), "true"); // the plain HTTP listener redirects to the HTTPS edge (EdgeConfigTest)
      }
      if (env.containsKey(ConfigKey.WG_ENABLED.env())) {
        env.put(ConfigKey.REPLICATION_ENABLED.env(), "true"); // the mesh's peers are the cluster's POPs (EdgeConfigTest)
        env.put(ConfigKey.WG_ADDRESS.env(), VALID.get(ConfigKey.WG_ADDRESS));
      }
      assertThat(EdgeConfig.load(env, Map.of())).isNotNull();
    });
  }

  @Test
  void oneInvalidValueFailsNamingItsKey() {
    qt().forAll(integers().between(0, ConfigKey.values().length - 1), integers().between(0, 3)).checkAssert((index, garbage) -> {
      ConfigKey key = ConfigKey.values()[index];
      if (ANYTHING_GOES.contains(key)) {
        return;
      }
      String bad = new String[] {"§", "-5", "x:y", "99999999999"}[garbage];
      if (key == ConfigKey.LISTENERS && bad.equals("§")) {
        bad = "=§";
      }
      Map<String, String> env = new HashMap<>();
      VALID.forEach((k, v) -> env.put(k.env(), v));
      env.put(key.env(), bad);
      InvalidConfigException e = catchThrowableOfType(InvalidConfigException.class, () -> EdgeConfig.load(env, Map.of()));
      if (e == null) {
        // Digits and dashes are fine app names and region codes; 99999999999 bytes a fine size.
        assertThat(key.kind()).isIn(ConfigKey.Kind.BYTES, ConfigKey.Kind.NAME_OR_ANY, ConfigKey.Kind.REGION, ConfigKey.Kind.NAME,
            ConfigKey.Kind.OPTIONAL_NAME, ConfigKey.Kind.OPTIONAL_HOST, ConfigKey.Kind.BOOLEAN, ConfigKey.Kind.DNS_ZONE,
            ConfigKey.Kind.OPTIONAL_DNS_NAME, ConfigKey.Kind.INTERFACE_NAME);
        assertThat(bad).isIn("-5", "99999999999", "x:y", "§");
        return;
      }
      assertThat(e.problems()).hasSize(1);
      String shown = key.kind().isSecret() ? "the value given" : "\"" + bad + "\"";
      assertThat(e.problems().get(0)).startsWith(key.env() + " (" + key.flag() + "): " + shown).contains("expected: ");
    });
  }
}
