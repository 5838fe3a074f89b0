package io.edgeproxy.core.config;

import static java.util.Objects.requireNonNull;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The appliance's whole configuration: built once at start-up by {@link #load}, immutable, passed
 * explicitly. Routing data is not configuration: it lives in routing.db.
 *
 * @param effective every key's value and where it came from, for the start-up log
 */
public record EdgeConfig(
    NodeConfig node,
    GeoConfig geo,
    AffinityConfig affinity,
    ProxyConfig proxy,
    @Nullable ReplicationConfig replication,
    @Nullable DnsConfig dns,
    @Nullable ApiConfig api,
    @Nullable EdgeTlsConfig tls,
    List<String> effective) {

  public EdgeConfig {
    requireNonNull(node, "node");
    requireNonNull(geo, "geo");
    requireNonNull(affinity, "affinity");
    requireNonNull(proxy, "proxy");
    effective = List.copyOf(effective);
  }

  /**
   * Builds the configuration from the environment and command-line flags (flags win). Pure: reads
   * nothing but its arguments.
   *
   * @throws InvalidConfigException listing every invalid key with its value and what is expected
   */
  public static EdgeConfig load(Map<String, String> env, Map<ConfigKey, String> flags) {
    ConfigValues v = new ConfigValues(env, flags);
    NodeConfig node = new NodeConfig(
        v.region(ConfigKey.REGION),
        v.path(ConfigKey.DB_PATH),
        v.seconds(ConfigKey.DB_RELOAD_SECS, 1),
        v.bool(ConfigKey.DEBUG),
        v.logFormat(ConfigKey.LOG_FORMAT),
        v.optionalAddress(ConfigKey.ADMIN_ADDR));
    GeoConfig geo = new GeoConfig(v.optionalPath(ConfigKey.GEOIP_PATH));
    AffinityConfig affinity = new AffinityConfig(
        v.seconds(ConfigKey.BINDING_TTL_SECS, 0),
        v.seconds(ConfigKey.BINDING_GC_INTERVAL_SECS, 1),
        v.integer(ConfigKey.BINDING_MAX, 1));
    List<ListenerConfig> listeners = new ArrayList<>();
    listeners.add(new ListenerConfig(v.appOrAny(ConfigKey.APP), v.address(ConfigKey.LISTEN_ADDR)));
    listeners.addAll(v.listeners(ConfigKey.LISTENERS));
    v.requireDistinctAddresses(ConfigKey.LISTENERS, listeners);
    ProxyConfig proxy = new ProxyConfig(
        listeners,
        v.millis(ConfigKey.CONNECT_TIMEOUT_MS, 1),
        (int) v.integer(ConfigKey.CONNECT_ATTEMPTS, 1),
        (int) v.integer(ConfigKey.EJECT_AFTER_FAILURES, 0),
        v.seconds(ConfigKey.EJECT_SECS, 1),
        v.seconds(ConfigKey.IDLE_TIMEOUT_SECS, 0),
        v.seconds(ConfigKey.DRAIN_SECS, 0),
        v.transport(ConfigKey.TRANSPORT),
        (int) v.integer(ConfigKey.IO_THREADS, 0),
        v.bool(ConfigKey.TCP_ACCESS_LOG));
    ReplicationConfig replication = null;
    if (v.bool(ConfigKey.REPLICATION_ENABLED)) {
      replication = new ReplicationConfig(
          v.optionalName(ConfigKey.REPLICATION_NODE_ID),
          v.address(ConfigKey.REPLICATION_GOSSIP_ADDR),
          v.address(ConfigKey.REPLICATION_TRANSPORT_ADDR),
          v.optionalHost(ConfigKey.REPLICATION_ADVERTISE_HOST),
          v.peers(ConfigKey.REPLICATION_BOOTSTRAP_PEERS),
          v.name(ConfigKey.REPLICATION_CLUSTER_NAME),
          v.optionalSecret(ConfigKey.REPLICATION_CLUSTER_KEY),
          v.optionalPath(ConfigKey.REPLICATION_TLS_DIR),
          v.millis(ConfigKey.REPLICATION_SYNC_INTERVAL_MS, 1),
          v.millis(ConfigKey.REPLICATION_GOSSIP_INTERVAL_MS, 1),
          v.seconds(ConfigKey.REPLICATION_TOMBSTONE_TTL_SECS, 1),
          v.millis(ConfigKey.REPLICATION_MAX_CLOCK_SKEW_MS, 1));
      boolean parsed = v.problems().stream().noneMatch(p -> p.startsWith(ConfigKey.REPLICATION_TOMBSTONE_TTL_SECS.env())
          || p.startsWith(ConfigKey.REPLICATION_SYNC_INTERVAL_MS.env()));
      long tenSyncsMs = 10 * replication.syncInterval().toMillis(); // not multipliedBy: BigDecimal, slow to load at start
      if (parsed && replication.tombstoneTtl().toMillis() < tenSyncsMs) {
        v.crossProblem(ConfigKey.REPLICATION_TOMBSTONE_TTL_SECS, replication.tombstoneTtl().toSeconds() + " s is less than 10 sync"
            + " intervals (" + tenSyncsMs + " ms): a POP briefly cut off would have"
            + " to rejoin from a copy (expected: at least 10 x " + ConfigKey.REPLICATION_SYNC_INTERVAL_MS.env() + ")");
      }
    }
    if (v.bool(ConfigKey.WG_ENABLED)) {
      WireGuardConfig wireGuard = wireGuard(v);
      if (replication == null && v.problems().stream().noneMatch(p -> p.startsWith(ConfigKey.REPLICATION_ENABLED.env() + " "))) {
        v.crossProblem(ConfigKey.WG_ENABLED, "is on while " + ConfigKey.REPLICATION_ENABLED.env() + " is off (the mesh's"
            + " peers are the cluster's POPs: turn replication on too)");
      } else if (replication != null) {
        replication = replication.withWireGuard(wireGuard);
      }
    }
    DnsConfig dns = null;
    if (v.bool(ConfigKey.DNS_ENABLED)) {
      dns = new DnsConfig(
          v.address(ConfigKey.DNS_LISTEN_ADDR),
          v.dnsZone(ConfigKey.DNS_DOMAIN),
          v.seconds(ConfigKey.DNS_TTL_SECS, 0),
          (int) v.integer(ConfigKey.DNS_RATE_LIMIT, 0),
          v.ipAddresses(ConfigKey.DNS_UPSTREAMS),
          v.networks(ConfigKey.DNS_ALLOW_FROM),
          v.networks(ConfigKey.DNS_FORWARD_FROM),
          v.millis(ConfigKey.DNS_UPSTREAM_TIMEOUT_MS, 1));
    }
    ApiConfig api = null;
    TlsFiles tlsFiles = tlsFiles(v);
    if (v.bool(ConfigKey.API_ENABLED)) {
      api = new ApiConfig(
          v.address(ConfigKey.API_LISTEN_ADDR),
          v.seconds(ConfigKey.HEARTBEAT_TTL_SECS, 1),
          v.seconds(ConfigKey.DEREGISTER_AFTER_SECS, 1),
          v.bool(ConfigKey.API_TLS) ? new ApiConfig.Tls(tlsFiles) : null);
    }
    EdgeTlsConfig tls = null;
    if (v.bool(ConfigKey.TLS_ENABLED)) {
      String app = listeners.getFirst().app();
      tls = new EdgeTlsConfig(
          v.address(ConfigKey.TLS_LISTEN_ADDR),
          tlsFiles,
          v.optionalDirectory(ConfigKey.TLS_CERTS_DIR),
          v.optionalDnsName(ConfigKey.DOMAIN),
          "*".equals(app) ? null : app,
          v.millis(ConfigKey.TLS_HELLO_TIMEOUT_MS, 1),
          v.tlsProvider(ConfigKey.TLS_PROVIDER),
          v.optionalAddress(ConfigKey.HTTP_LISTEN_ADDR),
          v.millis(ConfigKey.HTTP_BACKEND_TIMEOUT_MS, 1),
          v.bool(ConfigKey.HTTP_ACCESS_LOG),
          null, v.bool(ConfigKey.TUNNEL_ENABLED) ? v.address(ConfigKey.TUNNEL_LISTEN_ADDR) : null,
          new CacheConfig(v.bytes(ConfigKey.CACHE_MEMORY_BYTES), v.bytes(ConfigKey.CACHE_MAX_OBJECT_BYTES),
              v.optionalDataDirectory(ConfigKey.CACHE_DIR), v.bytes(ConfigKey.CACHE_MAX_BYTES)));
      java.net.URI directory = v.optionalUrl(ConfigKey.ACME_DIRECTORY);
      String acmeEmail = v.optionalEmail(ConfigKey.ACME_EMAIL);
      Path acmeCa = v.optionalFile(ConfigKey.ACME_CA_CERTS);
      if (directory != null) {
        tls = tls.withAcme(new AcmeConfig(directory, acmeEmail, acmeCa));
        if (v.isEmpty(ConfigKey.HTTP_LISTEN_ADDR)) {
          v.crossProblem(ConfigKey.ACME_DIRECTORY, "is set while " + ConfigKey.HTTP_LISTEN_ADDR.env() + " is empty (ACME's"
              + " HTTP-01 challenges are answered on the plain HTTP listener: set it, usually to 0.0.0.0:80)");
        }
      }
    } else if (v.bool(ConfigKey.TUNNEL_ENABLED)
        && v.problems().stream().noneMatch(p -> p.startsWith(ConfigKey.TLS_ENABLED.env() + " "))) {
      v.crossProblem(ConfigKey.TUNNEL_ENABLED, "is on while " + ConfigKey.TLS_ENABLED.env() + " is off (agents verify the"
          + " HTTPS edge's default certificate, and the TCP fallback rides its listener: turn it on too)");
    } else if (!v.isEmpty(ConfigKey.ACME_DIRECTORY)
        && v.problems().stream().noneMatch(p -> p.startsWith(ConfigKey.TLS_ENABLED.env() + " "))) {
      v.crossProblem(ConfigKey.ACME_DIRECTORY, "is set while " + ConfigKey.TLS_ENABLED.env() + " is off (ACME certificates"
          + " are for the HTTPS edge: turn it on too, or leave this empty)");
    } else if (!v.isEmpty(ConfigKey.HTTP_LISTEN_ADDR)
        && v.problems().stream().noneMatch(p -> p.startsWith(ConfigKey.TLS_ENABLED.env() + " "))) {
      v.crossProblem(ConfigKey.HTTP_LISTEN_ADDR, "is set while " + ConfigKey.TLS_ENABLED.env() + " is off (the plain HTTP"
          + " listener redirects to the HTTPS edge: turn it on too, or leave this empty)");
    }
    if (!v.problems().isEmpty()) {
      throw new InvalidConfigException(v.problems());
    }
    return new EdgeConfig(node, geo, affinity, proxy, replication, dns, api, tls, v.describe());
  }

  /**
   * How long a registration whose lease expired stays listed (unhealthy) before it is left out;
   * every POP derives it, the discovery API's or not.
   */
  public Duration deregisterAfter() {
    return api != null ? api.deregisterAfter()
        : Duration.ofSeconds(Long.parseLong(ConfigKey.DEREGISTER_AFTER_SECS.defaultValue()));
  }

  /** EDGEPROXY_WG_*: null (after saying why) when the address is missing or a value is bad. */
  private static @Nullable WireGuardConfig wireGuard(ConfigValues v) {
    java.net.InetAddress address = v.interfaceAddress(ConfigKey.WG_ADDRESS);
    int port = v.port(ConfigKey.WG_LISTEN_PORT);
    String name = v.interfaceName(ConfigKey.WG_INTERFACE);
    List<io.edgeproxy.core.geo.IpNetwork> subnets = v.networks(ConfigKey.WG_SUBNETS);
    subnets.stream().filter(s -> s.prefix() == 0).findFirst().ifPresent(s -> v.crossProblem(ConfigKey.WG_SUBNETS, "has " + s
        + ", every address there is (expected: the backend networks behind this POP; the other POPs would refuse it)"));
    if (address == null) {
      if (v.isEmpty(ConfigKey.WG_ADDRESS)) {
        v.crossProblem(ConfigKey.WG_ADDRESS, "is empty while " + ConfigKey.WG_ENABLED.env() + " is on (expected: this POP's"
            + " overlay address with the overlay's prefix, e.g. 10.50.0.1/16)");
      }
      return null;
    }
    boolean manage = v.bool(ConfigKey.WG_MANAGE_INTERFACE);
    return v.problems().isEmpty()
        ? new WireGuardConfig(name, address, v.interfacePrefix(ConfigKey.WG_ADDRESS), port, subnets, manage) : null;
  }

  /** EDGEPROXY_TLS_CERT and _KEY: both (readable files) or neither. */
  private static @Nullable TlsFiles tlsFiles(ConfigValues v) {
    boolean certGiven = !v.isEmpty(ConfigKey.TLS_CERT);
    boolean keyGiven = !v.isEmpty(ConfigKey.TLS_KEY);
    if (certGiven != keyGiven) {
      ConfigKey empty = certGiven ? ConfigKey.TLS_KEY : ConfigKey.TLS_CERT;
      ConfigKey set = certGiven ? ConfigKey.TLS_CERT : ConfigKey.TLS_KEY;
      v.crossProblem(empty, "is empty while " + set.env() + " is set (set both, or neither for a self-signed certificate)");
      return null;
    }
    Path cert = v.optionalFile(ConfigKey.TLS_CERT);
    Path key = v.optionalFile(ConfigKey.TLS_KEY);
    return cert == null || key == null ? null : new TlsFiles(cert, key);
  }

  /** Every default, nothing from the environment. */
  public static EdgeConfig defaults() {
    return load(Map.of(), Map.of());
  }

  /**
   * For tests: 127.0.0.1 port 0, routing.db in {@code dir}, short intervals and timeouts, no drain.
   */
  public static EdgeConfig forTest(Path dir) {
    EdgeConfig base = defaults();
    return new EdgeConfig(
        new NodeConfig("sa", dir.resolve("routing.db"), Duration.ofSeconds(1), false, NodeConfig.LogFormat.TEXT,
            new InetSocketAddress("127.0.0.1", 0)),
        base.geo(),
        base.affinity(),
        base.proxy()
            .withListeners(List.of(new ListenerConfig("*", new InetSocketAddress("127.0.0.1", 0))))
            .withConnectTimeout(Duration.ofMillis(500))
            .withDrain(Duration.ZERO),
        null,
        null,
        null,
        null,
        List.of("test profile"));
  }

  public EdgeConfig withNode(NodeConfig value) {
    return new EdgeConfig(value, geo, affinity, proxy, replication, dns, api, tls, effective);
  }

  public EdgeConfig withGeo(GeoConfig value) {
    return new EdgeConfig(node, value, affinity, proxy, replication, dns, api, tls, effective);
  }

  public EdgeConfig withAffinity(AffinityConfig value) {
    return new EdgeConfig(node, geo, value, proxy, replication, dns, api, tls, effective);
  }

  public EdgeConfig withProxy(ProxyConfig value) {
    return new EdgeConfig(node, geo, affinity, value, replication, dns, api, tls, effective);
  }

  public EdgeConfig withReplication(@Nullable ReplicationConfig value) {
    return new EdgeConfig(node, geo, affinity, proxy, value, dns, api, tls, effective);
  }

  public EdgeConfig withDns(@Nullable DnsConfig value) {
    return new EdgeConfig(node, geo, affinity, proxy, replication, value, api, tls, effective);
  }

  public EdgeConfig withApi(@Nullable ApiConfig value) {
    return new EdgeConfig(node, geo, affinity, proxy, replication, dns, value, tls, effective);
  }

  public EdgeConfig withTls(@Nullable EdgeTlsConfig value) {
    return new EdgeConfig(node, geo, affinity, proxy, replication, dns, api, value, effective);
  }
}
