package io.edgeproxy.tools.wireguard;

import io.edgeproxy.core.config.EdgeConfig;
import io.edgeproxy.core.config.WireGuardConfig;
import io.edgeproxy.core.geo.IpNetwork;
import io.edgeproxy.replication.Replicator;
import io.edgeproxy.replication.protocol.WarnOncePerMinute;
import io.edgeproxy.replication.tls.NodeCredentials;
import io.edgeproxy.sql.RoutingDb;
import io.edgeproxy.sql.WireGuardRows;
import io.edgeproxy.tools.tls.CertificateSeal;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The WireGuard mesh, built by the cluster itself: this POP publishes its signed announcement in
 * {@code wireguard_peers} (replicated), and every {@link #TICK} makes its interface's peers the
 * POPs that are members now and whose announcement checks out against the cluster CA. A POP that
 * joins is added, one that leaves or is declared down is removed, one whose key or endpoint changed
 * is updated. A row that does not check out is skipped with a warning naming it; a failed
 * interface change is retried on the next tick.
 */
public final class WgMesh implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(WgMesh.class);
  static final Duration TICK = Duration.ofSeconds(1);
  /** Checked rows are checked again this often (a certificate can expire while its row stays). */
  private static final Duration RECHECK = Duration.ofMinutes(10);

  /** A peer of the interface, named by the POP it is. */
  public record Peer(String node, String publicKey, @Nullable String endpoint, List<String> allowedIps,
      long latestHandshakeEpochSecs, long rxBytes, long txBytes) {}

  /** What the admin endpoint, the CLI and the status page show. */
  public record Status(String interfaceName, String kind, String publicKey, String address, int listenPort, List<String> subnets,
      List<Peer> peers, Map<String, String> rejected, @Nullable String error) {}

  private final WireGuardConfig config;
  private final String self;
  private final WgDevice device;
  private final WgKey key;
  private final String ownText;
  private final WireGuardRows rows;
  private final X509Certificate ca;
  private final Supplier<Set<String>> membersUp;
  private final WarnOncePerMinute warnings = new WarnOncePerMinute(logger);
  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
    Thread t = new Thread(r, "wireguard-mesh");
    t.setDaemon(true);
    return t;
  });
  /** Per node: the announcement its peer was set from. Timer thread only. */
  private final Map<String, WgAnnouncement> applied = new TreeMap<>();
  private final Map<String, WgAnnouncement.Checked> checked = new HashMap<>();
  private long checkedAtMs;
  private volatile Map<String, String> rejected = Map.of();
  /** Public key to node, of the peers set: what {@link #status} names them by (read on other threads). */
  private volatile Map<String, String> nodeByKey = Map.of();
  private volatile @Nullable String error;

  private WgMesh(WireGuardConfig config, String self, WgDevice device, WgKey key, String ownText, WireGuardRows rows,
      X509Certificate ca, Supplier<Set<String>> membersUp) {
    this.config = config;
    this.self = self;
    this.device = device;
    this.key = key;
    this.ownText = ownText;
    this.rows = rows;
    this.ca = ca;
    this.membersUp = membersUp;
  }

  /**
   * Creates the interface and starts keeping its peers, when EDGEPROXY_WG_ENABLED is on; null when off.
   *
   * @throws WgDevice.DeviceException saying what is missing (CAP_NET_ADMIN, WireGuard, wg) or in the way
   */
  public static @Nullable WgMesh start(EdgeConfig config, Replicator replicator, RoutingDb db) {
    WireGuardConfig wg = config.replication() == null ? null : config.replication().wireGuard();
    if (wg == null) {
      return null;
    }
    String self = replicator.nodeId();
    NodeCredentials credentials = Replicator.checkCredentials(config.replication(), self);
    WgKey key = WgKey.loadOrCreate(Path.of(config.node().dbPath() + ".wg-key"), CertificateSeal.forNode(config));
    String host = replicator.advertiseHost();
    String endpoint = (host.contains(":") ? "[" + host + "]" : host) + ":" + wg.listenPort();
    String text = new WgAnnouncement(self, key.publicKey(), endpoint, wg.addressWithPrefix(), wg.subnets(),
        System.currentTimeMillis()).sign(credentials.identity().certificate(), credentials.identity().key());
    char[] privateKey = key.privateKeyText();
    WgDevice device;
    try {
      device = WgDevice.create(wg.interfaceName(), self, privateKey, wg.listenPort(), wg.addressWithPrefix());
    } finally {
      Arrays.fill(privateKey, '\0');
    }
    for (IpNetwork subnet : wg.subnets()) {
      logger.info("wireguard: routing {} for the other POPs", subnet);
    }
    WgMesh mesh = new WgMesh(wg, self, device, key, text, new WireGuardRows(db), credentials.ca(), replicator::membersUp);
    mesh.timer.scheduleWithFixedDelay(mesh::tickSafely, 0, TICK.toMillis(), TimeUnit.MILLISECONDS);
    return mesh;
  }

  private void tickSafely() {
    try {
      tick(System.currentTimeMillis());
      error = null;
    } catch (RuntimeException e) {
      error = e.getMessage();
      warnings.warn("tick", "wireguard: cannot bring the mesh up to date (retried every second): " + e.getMessage());
    }
  }

  private void tick(long nowMs) {
    Map<String, String> all = rows.all();
    if (!ownText.equals(all.get(self))) {
      rows.publish(self, ownText);
    }
    if (nowMs - checkedAtMs > RECHECK.toMillis()) {
      checked.clear();
      checkedAtMs = nowMs;
    }
    Set<String> up = membersUp.get();
    Map<String, WgAnnouncement> desired = new TreeMap<>();
    Map<String, String> bad = new TreeMap<>();
    for (var row : all.entrySet()) {
      String node = row.getKey();
      if (node.equals(self)) {
        continue;
      }
      WgAnnouncement.Checked result =
          checked.computeIfAbsent(node + "\n" + row.getValue(), k -> WgAnnouncement.check(node, row.getValue(), ca, nowMs));
      if (result instanceof WgAnnouncement.Invalid invalid) {
        bad.put(node, invalid.reason());
        warnings.warn("row " + node, "wireguard: row " + node + " of wireguard_peers is not a peer: " + invalid.reason());
      } else if (result instanceof WgAnnouncement.Valid valid && up.contains(node)) {
        desired.put(node, valid.announcement());
      }
    }
    rejected = Map.copyOf(bad);
    try {
      apply(desired);
    } finally {
      Map<String, String> names = new HashMap<>();
      applied.forEach((node, a) -> names.put(a.publicKey(), node));
      nodeByKey = Map.copyOf(names);
    }
  }

  private void apply(Map<String, WgAnnouncement> desired) {
    for (String node : List.copyOf(applied.keySet())) {
      WgAnnouncement was = applied.get(node);
      WgAnnouncement now = desired.get(node);
      if (now == null || !now.publicKey().equals(was.publicKey())) {
        device.removePeer(was.publicKey());
        routes(was).forEach(device::unroute);
        applied.remove(node);
        logger.info("wireguard: peer {} removed ({})", node, now == null ? "not a member now" : "its key changed");
      }
    }
    for (var entry : desired.entrySet()) {
      WgAnnouncement a = entry.getValue();
      WgAnnouncement was = applied.get(entry.getKey());
      if (a.equals(was) || (was != null && sameExceptIssued(a, was))) {
        continue;
      }
      if (was != null) {
        routes(was).forEach(device::unroute);
      }
      device.setPeer(a.publicKey(), a.endpoint(), allowedIps(a));
      routes(a).forEach(device::route);
      applied.put(entry.getKey(), a);
      logger.info("wireguard: peer {} at {}, answering for {}", entry.getKey(), a.endpoint(), allowedIps(a));
    }
  }

  private static boolean sameExceptIssued(WgAnnouncement a, WgAnnouncement b) {
    return a.publicKey().equals(b.publicKey()) && a.endpoint().equals(b.endpoint()) && a.address().equals(b.address())
        && a.subnets().equals(b.subnets());
  }

  private static List<String> allowedIps(WgAnnouncement a) {
    return List.copyOf(WgQuickFile.allowedIps(a));
  }

  /** The peer's networks this POP's own overlay prefix does not already send into the interface. */
  private List<String> routes(WgAnnouncement a) {
    IpNetwork own = new IpNetwork(config.address(), config.prefix());
    List<String> out = new ArrayList<>();
    for (String allowed : allowedIps(a)) {
      IpNetwork net = IpNetwork.parse(allowed).orElseThrow();
      if (!(own.contains(net.address()) && net.prefix() >= own.prefix())) {
        out.add(net.toString());
      }
    }
    return out;
  }

  /** The interface, its peers (named by POP) and the rows refused; the peers read from the interface now. */
  public Status status() {
    Map<String, String> nodeByKey = this.nodeByKey;
    List<Peer> peers = new ArrayList<>();
    String failure = error;
    try {
      for (WgDevice.PeerState p : device.peers()) {
        peers.add(new Peer(nodeByKey.getOrDefault(p.publicKey(), "?"), p.publicKey(), p.endpoint(), p.allowedIps(),
            p.latestHandshakeEpochSecs(), p.rxBytes(), p.txBytes()));
      }
    } catch (WgDevice.DeviceException e) {
      failure = e.getMessage();
    }
    return new Status(device.name(), device.kind(), key.publicKey(), config.addressWithPrefix(), config.listenPort(),
        config.subnets().stream().map(IpNetwork::toString).toList(), peers, rejected, failure);
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    device.close();
  }
}
