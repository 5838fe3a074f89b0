package io.edgeproxy.tools;

import static java.util.Objects.requireNonNull;

import io.edgeproxy.core.affinity.ClientBindings;
import io.edgeproxy.core.config.EdgeConfig;
import io.edgeproxy.core.config.EdgeTlsConfig;
import io.edgeproxy.tools.tls.CertificateSeal;
import io.edgeproxy.tools.tls.EdgeCertificateStore;
import io.edgeproxy.tools.tls.acme.AcmeAccountKey;
import io.edgeproxy.tools.tls.acme.AcmeManager;
import io.edgeproxy.core.config.AcmeConfig;
import io.edgeproxy.sql.AcmeRows;
import io.edgeproxy.core.geo.ClientLocator;
import io.edgeproxy.core.geo.GeoResolver;
import io.edgeproxy.core.routing.Router;
import io.edgeproxy.core.routing.RoutingSnapshot;
import io.edgeproxy.core.routing.RoutingState;
import io.edgeproxy.proxy.NettyTransport;
import io.edgeproxy.proxy.ProxyServer;
import io.edgeproxy.dns.DnsServer;
import io.edgeproxy.proxy.health.ActiveHealthChecker;
import io.edgeproxy.replication.Replicator;
import io.edgeproxy.tools.admin.AdminServer;
import io.edgeproxy.tools.handover.HandOverClient;
import io.edgeproxy.tools.handover.HandOverServer;
import java.util.Optional;
import io.edgeproxy.tools.admin.NodeMetrics;
import io.edgeproxy.discovery.ApiContext;
import io.edgeproxy.discovery.ApiServer;
import io.edgeproxy.sql.ApiTokens;
import io.edgeproxy.sql.Registrations;
import io.edgeproxy.sql.RoutingDb;
import io.edgeproxy.sql.RoutingReloader;
import io.edgeproxy.sql.LeaseRule;
import io.edgeproxy.discovery.WriteReceipts;
import java.nio.file.Path;
import java.time.Duration;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One appliance node, wired from an {@link EdgeConfig} in the order below. {@code edgeproxy agent},
 * {@code edgeproxy demo} and the in-process tests all start nodes through {@link #start}, so tests
 * run the same wiring as production. {@link #close()} undoes it in reverse order.
 */
public final class EdgeNode implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(EdgeNode.class);

  private final EdgeConfig config;
  /** Kept through a hand-off: what open connections still need (closed by {@link #close()}, not {@link #handOff()}). */
  private final NodeResources resources = new NodeResources();
  private @Nullable NodeHandOff handOff;
  private volatile PopDirectory pops;
  private RoutingDb db;
  private io.edgeproxy.tools.admin.NodeHistory history;
  private RoutingState state;
  private RoutingReloader reloader;
  private ProxyServer proxy;
  private ActiveHealthChecker healthChecker;
  private @Nullable Replicator replicator;
  private @Nullable DnsServer dns;
  private @Nullable InetSocketAddress dnsAddress;
  private @Nullable AdminServer admin;
  private @Nullable ApiServer api;
  private @Nullable NodeMetrics metrics;
  private final io.edgeproxy.tools.admin.HttpRequestMetrics httpMetrics;
  private ClientLocator locator;
  private List<InetSocketAddress> proxyAddresses = List.of();
  private @Nullable InetSocketAddress edgeAddress;
  private @Nullable EdgeCertificateStore certificates;
  private @Nullable AcmeManager acmeManager;
  private io.edgeproxy.tools.tunnel.@Nullable PopTunnels tunnels;
  private io.edgeproxy.tools.wireguard.@Nullable WgMesh wireGuard;
  private final java.time.Clock acmeClock;

  private EdgeNode(EdgeConfig config, java.time.Clock acmeClock) {
    this.config = requireNonNull(config, "config");
    this.acmeClock = acmeClock;
    this.httpMetrics = new io.edgeproxy.tools.admin.HttpRequestMetrics(config.node().region());
  }

  /**
   * Starts a node. On failure everything already started is closed again.
   *
   * @throws NodeStartException naming the step that failed and its cause
   */
  public static EdgeNode start(EdgeConfig config) {
    return start(config, java.time.Clock.systemUTC());
  }

  /** As {@link #start(EdgeConfig)}, with the clock ACME renewals are decided by (tests move it). */
  public static EdgeNode start(EdgeConfig config, java.time.Clock acmeClock) {
    return new EdgeNode(config, acmeClock).startOrClose(null, "start node");
  }

  /**
   * Starts a node that takes over from the agent running on the same routing.db without losing a
   * connection or a query (the steps are in tools/DESIGN.md), or, when none runs, as {@link #start}.
   * A failure before the running agent let go leaves it serving as before.
   *
   * @throws NodeStartException naming the step that failed and its cause
   */
  public static EdgeNode takeOver(EdgeConfig config) {
    Optional<HandOverClient> running = HandOverClient.connect(config.node().dbPath());
    if (running.isEmpty()) {
      logger.info("no agent runs on {} to take over from: starting as usual", config.node().dbPath().toAbsolutePath());
      return start(config);
    }
    try (HandOverClient from = running.get()) {
      step("check that this agent may take over", () -> NodeHandOff.preflight(config.node().dbPath()));
      return new EdgeNode(config, java.time.Clock.systemUTC()).startOrClose(from, "take over");
    }
  }

  private EdgeNode startOrClose(@Nullable HandOverClient from, String what) {
    try {
      startAll(from);
      return this;
    } catch (RuntimeException e) {
      close();
      throw e instanceof NodeStartException n ? n : new NodeStartException(what, e);
    }
  }

  private void startAll(@Nullable HandOverClient from) {
    Preload.openSsl(config.tls()); // the HTTPS edge needs it at step 5a; meanwhile steps 0-4 run
    // 0. This routing.db is this node's alone (a second agent would capture under the same node id
    // and join the same SO_REUSEPORT groups); taking over, the running agent holds it until step 7.
    HandOverClient.Ready old = from == null ? null : step("greet the running agent", from::hello);
    if (from == null) {
      resources.add(step("lock the data directory", () -> NodeUpkeep.lockDataDir(config)));
    }

    // 1. routing.db first: everything else reads it. Opening creates and migrates the schema.
    db = step("open routing.db", () -> RoutingDb.open(config.node().dbPath()));
    resources.keep(db);

    // 2. GeoIP, before the first client can arrive (kept through a hand-off, for the drain).
    GeoResolver geo = resources.keep(step("load GeoIP database", () -> Preload.geo(config.geo().databasePath())));

    // 3. The first snapshot, synchronously, so the proxy never starts on an empty table.
    state = new RoutingState(config.node().region(), HardLimitShares.loadBoard(config, db));
    // Registered backends route as their leases allow, judged here from the replicated lease ends.
    reloader = new RoutingReloader(db, state, new LeaseRule(config.deregisterAfter()), System::currentTimeMillis);
    if (config.replication() == null && from == null) {
      resources.add(NodeUpkeep.standalone(config, db, reloader));
    }
    resources.add(reloader);
    RoutingSnapshot first = step("read routing.db", reloader::loadFirst);
    if (!first.regions().isKnownRegion(config.node().region())) {
      throw new NodeStartException("check EDGEPROXY_REGION",
          new IllegalArgumentException("region '" + config.node().region() + "' is not a known region (expected: one of "
              + String.join(", ", first.regions().regions()) + ", or a region added to table region_countries)"));
    }

    // 4. Affinity, with its periodic purge of expired bindings.
    ClientBindings bindings = new ClientBindings(config.affinity().ttl(), config.affinity().maxBindings());
    ScheduledExecutorService gc = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("binding-gc").daemon().factory());
    long gcMillis = config.affinity().gcInterval().toMillis();
    gc.scheduleWithFixedDelay(bindings::cleanUp, gcMillis, gcMillis, TimeUnit.MILLISECONDS);
    resources.add(gc::shutdownNow);

    // 5. The proxy: bind every listener, then accept.
    locator = new ClientLocator(geo);
    Router router = new Router(state, locator, bindings,
        new Router.PassiveHealth(config.proxy().ejectAfterFailures(), config.proxy().ejectFor()), System::nanoTime);
    NettyTransport transport = step("start I/O threads", () -> NettyTransport.forConfig(config.proxy()));
    resources.keep(transport);
    proxy = new ProxyServer(config.proxy(), router, transport);
    EdgeTlsConfig edge = config.tls();
    io.edgeproxy.tools.tls.TlsContexts.@Nullable Served tunnelTls = edge == null || edge.tunnelListen() == null ? null
        : step("load the device tunnels' certificate", () -> io.edgeproxy.tools.tls.TlsContexts.served(edge.defaultCertificate(),
            edge.domain() == null ? List.of("localhost") : List.of("localhost", "*." + edge.domain()), "device tunnels"));
    if (from != null) {
      // Device tunnels move first, so that the proxy reaches them from its first connection on.
      if (tunnelTls != null && old.tunnelGeneration() >= 0) {
        serveTunnels(step("take over the device tunnels", () -> NodeHandOff.takeOverTunnels(from, old, edge.tunnelListen(),
            tunnelTls, old.nodeId() != null ? old.nodeId() : config.node().region(), db, state, locator, reloader::reloadNow)));
      }
      proxy.joinRunningAgent(); // the running agent leaves the groups at step 7
    }
    proxyAddresses = step("bind proxy listeners", proxy::start);
    resources.keep(proxy);

    // 5a. The HTTPS edge: one address for every app, on the proxy's threads, routing and drain.
    if (edge != null) {
      CertificateSeal seal = step("open the certificate seal", () -> CertificateSeal.forNode(config));
      certificates = step("load the HTTPS edge's certificates", () -> EdgeCertificateStore.start(edge, state, seal));
      resources.keep(certificates);
      edgeAddress = step("bind the HTTPS edge", () -> proxy.startEdge(edge, certificates, httpMetrics));
    }

    // 5b. Active health checks (apps with a row in health_checks): verdicts stay on this POP and
    // feed the proxy's selection; closed before the proxy, so its last verdicts hold during the drain.
    healthChecker = step("start health checks", () -> ActiveHealthChecker.start(state));
    resources.add(healthChecker);

    // 6. Only now poll routing.db for other writers: the first load already happened.
    reloader.start(config.node().dbReload());

    // 6b. DNS: answers from the same snapshot as the proxy. Taking over, on the running agent's
    // sockets (their queued queries included); pops.<zone> lists this node until replication is up.
    if (config.dns() != null) {
      pops = PopDirectory.start(config, null);
      resources.keep(() -> pops.close());
      dns = new DnsServer(config.dns(), state, locator, () -> pops.current());
      resources.keep(dns);
      if (old != null && NodeHandOff.sameDnsAddress(old, config.dns().listen())) {
        dnsAddress = step("take over the DNS sockets", () -> {
          io.edgeproxy.dns.DnsServer.Sockets sockets = from.dnsSockets(old.udpSockets());
          return dns.adopt(sockets.udp(), sockets.tcp());
        });
      }
    }

    // 6c. What can fail on settings (keys, certificates) is loaded before the running agent lets go.
    var apiTls = config.api() == null || config.api().tls() == null ? null
        : step("load the discovery API's TLS certificate", () -> ApiTls.context(config.api().tls(), config.api().listen()));
    step("load the replication credentials", () -> NodeHandOff.checkCredentials(config.replication(), old));

    // 7. Taking over: the running agent stops accepting, leaves the cluster, unlocks; this one locks.
    if (from != null) {
      boolean released = step("have the running agent (pid " + old.pid() + ") let go",
          () -> from.leave(config.proxy().drain().plus(Duration.ofSeconds(60))));
      if (!released) { // it went away mid-way: its lock is free once it has exited
        NodeHandOff.awaitExit(old.pid(), config.proxy().drain().plus(Duration.ofSeconds(30)));
      }
      resources.addFirst(step("lock the data directory", () -> NodeUpkeep.lockDataDir(config)));
      if (config.replication() == null) {
        resources.add(NodeUpkeep.standalone(config, db, reloader));
      }
    }

    // 7a. Replication: the proxy already serves this POP's own routing.db while it joins.
    if (config.replication() != null) {
      // Registrations whose lease ended longer ago than deregister-after plus the tombstone TTL are forgotten.
      Duration forgetLeases = config.deregisterAfter().plus(config.replication().tombstoneTtl());
      replicator = step("start replication", () -> Replicator.start(config.replication(), config.node().region(), db, reloader,
          forgetLeases));
      resources.add(replicator);
      resources.add(HardLimitShares.start(replicator, state, config)); // hard limits shared among POPs
      // Kept through a hand-over (the next agent takes the interface over as it is); only its ticking stops then.
      wireGuard = resources.keep(step("start the WireGuard mesh", () -> io.edgeproxy.tools.wireguard.WgMesh.start(config, replicator, db)));
      resources.add(() -> { if (wireGuard != null) wireGuard.stopTicking(); });
    }

    // 7b. DNS's pops.<zone>: replication's members; and its sockets, unless taken over.
    if (dns != null) {
      if (replicator != null) {
        PopDirectory standalone = pops;
        pops = PopDirectory.start(config, replicator);
        standalone.close();
      }
      if (dnsAddress == null) {
        dnsAddress = step("bind the DNS server", dns::start);
      }
    }

    // 7c. ACME: certificates for the edge's names, once this POP serves challenges and replicates.
    if (config.tls() != null && config.tls().acme() != null) {
      AcmeConfig acme = config.tls().acme();
      String self = replicator != null ? replicator.nodeId() : config.node().region();
      CertificateSeal seal = certificates.seal();
      acmeManager = step("start ACME", () -> AcmeManager.start(new AcmeManager.Parts(acme, config.tls().domain(), self, acmeClock,
          state, certificates, seal, new AcmeRows(db), reloader::reloadNow,
          AcmeAccountKey.loadOrCreate(Path.of(config.node().dbPath() + ".acme-account"), seal), receipts())));
      resources.add(acmeManager);
    }

    // 7d. Device tunnels (unless taken over at 5): after replication, whose node id their rows carry.
    if (tunnels != null && replicator != null) {
      tunnels.useRelays(replicator); // taken over at step 5
    } else if (tunnelTls != null && tunnels == null) {
      String self = replicator != null ? replicator.nodeId() : config.node().region();
      serveTunnels(step("bind the device tunnel listener", () -> io.edgeproxy.tools.tunnel.PopTunnels.start(edge.tunnelListen(),
          tunnelTls, self, db, state, locator, reloader::reloadNow, replicator)));
    }

    // 7e. Other POPs' streams over the relay links: to the device tunnels held here, and to this
    // POP's edge cache as their regional shield (which the edge cache asks of others in turn).
    if (replicator != null) {
      var held = tunnels;
      java.util.function.Consumer<io.netty.channel.Channel> shield = edge == null ? null : proxy::serveShield;
      if (edge != null) { // first: the name a shield answers with is this POP's from the first request on
        proxy.useShields(new io.edgeproxy.tools.shield.RegionShields(replicator, config.node().region(),
            config.proxy().connectTimeout()));
      }
      replicator.acceptRelays((stream, peer) -> io.edgeproxy.tunnel.RelayWire.serve(stream, peer,
          id -> held == null ? java.util.Optional.empty() : held.tunnel(id), shield));
    }

    // 7f. The last 15 minutes, for the status page's charts: a sample now, then every step.
    history = new io.edgeproxy.tools.admin.NodeHistory(state, () -> replicator == null ? null : replicator.status());
    resources.add(history.startSampling());

    // 8. The admin endpoint last: it reports on everything above.
    if (config.node().adminAddress() != null) {
      admin = step("bind the admin endpoint", () -> AdminServer.start(config.node().adminAddress(), this));
      resources.add(admin);
    }
    // 9. The discovery API: registrations write routing.db like every other change.
    if (config.api() != null) {
      api = step("start the discovery API", () -> ApiServer.start(apiContext(), apiTls));
      resources.add(api);
    }
    // 10. This process is the service's main one now (before the old agent is told it may exit:
    // systemd must not see the main process end first); then ready for the next agent to take over.
    io.edgeproxy.tools.handover.SystemdNotify.mainAndReady(System.getenv());
    handOff = new NodeHandOff(proxy, dns, dnsAddress, resources, replicator == null ? null : replicator.nodeId(), tunnels,
        old == null ? 0 : old.pid()); // no next hand-over until that one has exited
    HandOverServer handOver = NodeHandOff.listen(config.node().dbPath(), handOff);
    if (handOver != null) {
      resources.keep(handOver);
    }
    if (from != null) {
      from.done();
    }
    logger.info("edgeproxy node up{}: region {}, routing.db {} (snapshot v{}, {} backends)",
        from == null ? "" : " (took over from pid " + old.pid() + ")",
        config.node().region(), config.node().dbPath(), first.version(), first.backends().size());
  }

  /** Completes when this node has handed over to a new agent (true), or a hand-over failed after it let go (false). */
  public java.util.concurrent.CompletableFuture<Boolean> handedOver() {
    HandOverServer server = handOff == null ? null : handOff.server();
    return server == null ? new java.util.concurrent.CompletableFuture<>() : server.finished();
  }

  private ApiContext apiContext() {
    String self = replicator != null ? replicator.nodeId() : config.node().region();
    return new ApiContext(config.api(), self, state, reloader, locator, new Registrations(db), new ApiTokens(db),
        metrics().registry(), this::members, () -> AdminServer.status(this), () -> metrics().scrape(), this::reloadNow,
        receipts(), () -> io.edgeproxy.tools.admin.TunnelViews.of(this), new io.edgeproxy.sql.CachePurges(db),
        () -> io.edgeproxy.tools.admin.AdminServer.cacheView(this), history::view);
  }

  /** The last 15 minutes of this POP (the status page's charts). */
  public io.edgeproxy.tools.admin.NodeHistory history() {
    return history;
  }

  /** Write receipts of this POP's writes (none without replication). */
  public WriteReceipts receipts() {
    return replicator != null ? new ReplicatorReceipts(replicator) : WriteReceipts.NONE;
  }

  /** The cluster's members as this POP sees them, itself first. */
  public List<ApiContext.Member> members() {
    return PopDirectory.members(config.node().region(), replicator);
  }

  /** Requests of apps in HTTP mode, for the metrics. */
  public io.edgeproxy.tools.admin.HttpRequestMetrics httpMetrics() {
    return httpMetrics;
  }

  /** The node's metrics (Prometheus), shared by the admin endpoint and the discovery API. */
  public synchronized NodeMetrics metrics() {
    if (metrics == null) {
      metrics = new NodeMetrics(this);
    }
    return metrics;
  }

  /** The HTTPS edge's bound address, or null when it is off. */
  public @Nullable InetSocketAddress edgeAddress() {
    return edgeAddress;
  }

  /** The ACME certificate manager, or null when ACME is off. */
  public @Nullable AcmeManager acme() {
    return acmeManager;
  }

  /** The HTTPS edge's certificates, or null when it is off. */
  public @Nullable EdgeCertificateStore certificates() {
    return certificates;
  }

  /** The HTTPS edge's plain HTTP listener (redirects), or null when it is off. */
  public @Nullable InetSocketAddress httpAddress() {
    return proxy.httpAddress();
  }

  /** The discovery API's address, or null when it is off. */
  public @Nullable InetSocketAddress apiAddress() {
    return api == null ? null : api.address();
  }

  /** Kept through a hand-off (the streams they carry drain); the proxy reaches tunnel backends through them. */
  private void serveTunnels(io.edgeproxy.tools.tunnel.PopTunnels value) {
    tunnels = resources.keep(value);
    proxy.useTunnels(value);
    proxy.useTunnelFallback(value);
  }

  private static <T> T step(String what, java.util.function.Supplier<T> action) {
    try {
      return action.get();
    } catch (NodeStartException e) {
      throw e;
    } catch (RuntimeException e) {
      throw new NodeStartException(what, e);
    }
  }

  public EdgeConfig config() {
    return config;
  }

  /** Bound proxy addresses in listener order. */
  public List<InetSocketAddress> proxyAddresses() {
    return proxyAddresses;
  }

  public RoutingState state() {
    return state;
  }

  /** Where clients are (GeoIP and the snapshot's region map), as the proxy locates them. */
  public ClientLocator locator() {
    return locator;
  }

  public RoutingDb db() {
    return db;
  }

  public ProxyServer proxy() {
    return proxy;
  }

  /** This POP's active health checks (read-only view per checked backend). */
  public ActiveHealthChecker healthChecker() {
    return healthChecker;
  }

  /** The admin endpoint's address, or null when it is off. */
  public @Nullable InetSocketAddress adminAddress() {
    return admin == null ? null : admin.address();
  }

  /** The DNS server, or null when DNS is off. */
  public @Nullable DnsServer dns() {
    return dns;
  }

  /** The device tunnels this POP accepts, or null when EDGEPROXY_TUNNEL_ENABLED is off. */
  public io.edgeproxy.tools.tunnel.@Nullable PopTunnels tunnels() {
    return tunnels;
  }

  /** The DNS server's bound address (UDP and TCP), or null when DNS is off. */
  public @Nullable InetSocketAddress dnsAddress() {
    return dnsAddress;
  }

  /** Replication, or null when it is disabled. */
  public @Nullable Replicator replicator() {
    return replicator;
  }

  /** The WireGuard mesh, or null when EDGEPROXY_WG_ENABLED is off. */
  public io.edgeproxy.tools.wireguard.@Nullable WgMesh wireGuard() {
    return wireGuard;
  }

  /**
   * Applies the node's own routing.db writes at once (instead of at the next poll) and, with
   * replication on, ships them to the other POPs at once.
   */
  public RoutingSnapshot reloadNow() {
    if (replicator != null) {
      replicator.flushLocalChanges();
    }
    return reloader.reloadNow();
  }

  /** Stops accepting, drains, and releases everything, in reverse start order. Idempotent. */
  @Override
  public synchronized void close() {
    if (handOff != null && handOff.happened()) {
      proxy.close(); // handed off: connections drain before the device tunnels they may run through close
    }
    resources.closeAll();
  }

  /** A start-up step failed: "failed to &lt;step&gt;: &lt;cause&gt;". */
  public static final class NodeStartException extends RuntimeException {
    NodeStartException(String step, Throwable cause) {
      super("failed to " + step + ": " + cause.getMessage(), cause);
    }
  }
}
