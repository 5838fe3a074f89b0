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
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
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
 * {@code wireguard_peers} (replicated), and every {@link #TICK} works out from the rows and
 * membership what its interface should have ({@link WgPeerChoice}): the peers, their endpoints and
 * addresses, and the routes into the interface. When that changed, after a failure, and every
 * {@link #LOOK_EVERY}, it compares with what the interface has and changes only what differs (so a
 * tick that failed halfway, or an interface taken over from an earlier agent, is put right). The interface is
 * made again when it goes away. Rows refused are named in a warning and in the status.
 */
public final class WgMesh implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(WgMesh.class);
  static final Duration TICK = Duration.ofSeconds(1);
  /**
   * The interface is compared with what it should have when the rows or membership change, and at
   * least this often (someone changed it by hand, an adopted wireguard-go died): reading it costs
   * three processes, not worth spending every second on an unchanged mesh.
   */
  static final Duration LOOK_EVERY = Duration.ofSeconds(10);
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
  /** Null when the operator runs the interface (EDGEPROXY_WG_MANAGE_INTERFACE=false). */
  private final @Nullable Supplier<WgDevice> makeDevice;
  private final WgKey key;
  private final String ownText;
  private final WireGuardRows rows;
  private final WgPeerChoice choice;
  private final Supplier<Set<String>> membersUp;
  private final WarnOncePerMinute warnings = new WarnOncePerMinute(logger);
  private final ScheduledExecutorService timer =
      Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().name("wireguard-mesh").daemon().factory());
  /** Made again when it goes away (deleted by hand, its wireguard-go killed); null when the operator runs it. */
  private volatile @Nullable WgDevice device;
  /** The peers chosen by the last tick (what the interface should have). */
  private volatile Map<String, WgAnnouncement> chosen = Map.of();
  /** Per node: the announcement its peer was last set from. Timer thread only. */
  private final Map<String, WgAnnouncement> applied = new TreeMap<>();
  private long checkedAtMs;
  private long lookedAtMs;
  /** The peers the interface was last made to match (null: not since the last failure). Timer thread only. */
  private @Nullable Map<String, WgAnnouncement> reconciled;
  private volatile Map<String, String> rejected = Map.of();
  /** Public key to node, of the peers set: what {@link #status} names them by. */
  private volatile Map<String, String> nodeByKey = Map.of();
  private volatile @Nullable String error;

  private WgMesh(WireGuardConfig config, String self, @Nullable Supplier<WgDevice> makeDevice, WgKey key, String ownText,
      WireGuardRows rows, WgPeerChoice choice, Supplier<Set<String>> membersUp) {
    this.config = config;
    this.self = self;
    this.makeDevice = makeDevice;
    this.key = key;
    this.ownText = ownText;
    this.rows = rows;
    this.choice = choice;
    this.membersUp = membersUp;
    this.device = makeDevice == null ? null : makeDevice.get();
  }

  /**
   * Creates (or takes over) the interface and starts keeping it, when EDGEPROXY_WG_ENABLED is on; null when off.
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
    WireGuardRows rows = new WireGuardRows(db);
    // Later than this POP's previous announcement even if the clock went back: the others refuse an older one.
    long issued = System.currentTimeMillis();
    long previous = WgAnnouncement.issuedMsOf(rows.all().getOrDefault(self, ""));
    if (previous >= issued && previous < issued + Duration.ofDays(3650).toMillis()) { // even if its certificate has expired since
      issued = previous + 1;
    }
    String text = new WgAnnouncement(self, key.publicKey(), endpoint, wg.addressWithPrefix(), wg.subnets(), issued)
        .sign(credentials.identity().certificate(), credentials.identity().key());
    Supplier<WgDevice> makeDevice = () -> {
      char[] privateKey = key.privateKeyText();
      try {
        return WgDevice.create(wg.interfaceName(), self, privateKey, wg.listenPort(), wg.addressWithPrefix());
      } finally {
        Arrays.fill(privateKey, '\0');
      }
    };
    WgMesh mesh = new WgMesh(wg, self, wg.manageInterface() ? makeDevice : null, key, text, rows, new WgPeerChoice(self, key.publicKey(), wg, credentials.ca()),
        replicator::membersUp);
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
    boolean look = nowMs - lookedAtMs >= LOOK_EVERY.toMillis();
    WgDevice now = device;
    if (now != null && makeDevice != null && !now.alive(look)) {
      logger.warn("wireguard: interface {} is gone (deleted, or its wireguard-go ended); making it again", now.name());
      now.close();
      applied.clear();
      reconciled = null;
      device = makeDevice.get();
    }
    Map<String, String> all = rows.all();
    if (!ownText.equals(all.get(self))) {
      rows.publish(self, ownText);
    }
    if (nowMs - checkedAtMs > RECHECK.toMillis()) {
      choice.recheck();
      checkedAtMs = nowMs;
    }
    WgPeerChoice.Choice chosen = choice.choose(all, membersUp.get(), nowMs);
    chosen.rejected().forEach((node, why) ->
        warnings.warn("row " + node, "wireguard: row " + node + " of wireguard_peers is not a peer: " + why));
    rejected = Map.copyOf(chosen.rejected());
    this.chosen = Map.copyOf(chosen.peers());
    if (device == null) {
      return; // the operator's interface: only published, and shown
    }
    if (!look && chosen.peers().equals(reconciled)) {
      return; // nothing new, and the interface was compared less than LOOK_EVERY ago
    }
    reconciled = null;
    try {
      reconcile(device, chosen.peers());
      reconciled = Map.copyOf(chosen.peers());
      lookedAtMs = nowMs;
    } finally {
      Map<String, String> names = new HashMap<>();
      applied.forEach((node, a) -> names.put(a.publicKey(), node));
      nodeByKey = Map.copyOf(names);
    }
  }

  /**
   * Makes the interface's peers and routes {@code peers}', changing only what differs. One peer or
   * route that cannot be set (a name that does not resolve, a prefix the host routes elsewhere)
   * does not stop the others: the failures are thrown together at the end, and tried again next tick.
   */
  private void reconcile(WgDevice device, Map<String, WgAnnouncement> peers) {
    Map<String, WgDevice.PeerState> actual = new HashMap<>();
    device.peers().forEach(p -> actual.put(p.publicKey(), p));
    Map<String, String> wasNamed = new HashMap<>(nodeByKey);
    List<String> failures = new ArrayList<>();
    Set<String> wanted = new HashSet<>();
    for (var entry : peers.entrySet()) {
      WgAnnouncement a = entry.getValue();
      wanted.add(a.publicKey());
      WgDevice.PeerState now = actual.get(a.publicKey());
      WgAnnouncement was = applied.get(entry.getKey());
      boolean same = now != null && was != null && was.publicKey().equals(a.publicKey()) && was.endpoint().equals(a.endpoint())
          && parsed(now.allowedIps()).equals(Set.copyOf(WgPeerChoice.networks(a)));
      if (!same) {
        try {
          device.setPeer(a.publicKey(), a.endpoint(), WgPeerChoice.allowedIps(a));
          logger.info("wireguard: peer {} at {}, answering for {}", entry.getKey(), a.endpoint(), WgPeerChoice.allowedIps(a));
        } catch (WgDevice.DeviceException e) {
          failures.add("peer " + entry.getKey() + ": " + e.getMessage());
          continue;
        }
      }
      applied.put(entry.getKey(), a);
    }
    for (String publicKey : actual.keySet()) {
      if (!wanted.contains(publicKey)) {
        try {
          device.removePeer(publicKey);
          logger.info("wireguard: peer {} removed (not a member now, or its row changed or was refused)",
              wasNamed.getOrDefault(publicKey, publicKey));
        } catch (WgDevice.DeviceException e) {
          failures.add("removing peer " + wasNamed.getOrDefault(publicKey, publicKey) + ": " + e.getMessage());
        }
      }
    }
    applied.keySet().retainAll(peers.keySet());
    Set<IpNetwork> routes = new LinkedHashSet<>();
    peers.values().forEach(a -> routes.addAll(routes(a)));
    List<IpNetwork> present = device.routes();
    for (IpNetwork route : routes) {
      if (!present.contains(route)) {
        try {
          device.route(route);
        } catch (WgDevice.DeviceException e) {
          failures.add("route " + route + ": " + e.getMessage());
        }
      }
    }
    for (IpNetwork route : present) {
      if (!routes.contains(route)) {
        try {
          device.unroute(route);
        } catch (WgDevice.DeviceException e) {
          failures.add("removing route " + route + ": " + e.getMessage());
        }
      }
    }
    if (!failures.isEmpty()) {
      throw new WgDevice.DeviceException(String.join("; ", failures));
    }
  }

  private static Set<IpNetwork> parsed(List<String> networks) {
    Set<IpNetwork> out = new HashSet<>();
    networks.forEach(n -> IpNetwork.parse(n).ifPresent(out::add));
    return out;
  }

  /** The peer's networks this POP's own overlay prefix does not already send into the interface. */
  private List<IpNetwork> routes(WgAnnouncement a) {
    IpNetwork own = new IpNetwork(config.address(), config.prefix());
    List<IpNetwork> out = new ArrayList<>();
    for (IpNetwork net : WgPeerChoice.networks(a)) {
      if (!(own.contains(net.address()) && net.prefix() >= own.prefix())) {
        out.add(net);
      }
    }
    return out;
  }

  /**
   * The interface, its peers (named by POP) and the rows refused; peers as the interface has them
   * now, or, when the operator runs it, as {@code edgeproxy wireguard config} would write them (with
   * what the interface reports, if it is up).
   */
  public Status status() {
    WgDevice now = device;
    Map<String, String> names = now == null ? namesOf(chosen) : nodeByKey;
    String failure = error;
    List<WgDevice.PeerState> states = List.of();
    try {
      states = WgDevice.dump(config.interfaceName());
    } catch (WgDevice.DeviceException e) {
      if (now != null) {
        failure = e.getMessage();
      }
    }
    Map<String, WgDevice.PeerState> byKey = new HashMap<>();
    states.forEach(p -> byKey.put(p.publicKey(), p));
    List<Peer> peers = new ArrayList<>();
    if (now != null) {
      states.forEach(p -> peers.add(peer(names.getOrDefault(p.publicKey(), "?"), p)));
    } else {
      chosen.forEach((node, a) -> peers.add(byKey.containsKey(a.publicKey()) ? peer(node, byKey.get(a.publicKey()))
          : new Peer(node, a.publicKey(), a.endpoint(), WgPeerChoice.allowedIps(a), 0, 0, 0)));
    }
    return new Status(config.interfaceName(), now == null ? "run by the operator" : now.kind(), key.publicKey(),
        config.addressWithPrefix(), config.listenPort(), config.subnets().stream().map(IpNetwork::toString).toList(), peers,
        rejected, failure);
  }

  private static Peer peer(String node, WgDevice.PeerState p) {
    return new Peer(node, p.publicKey(), p.endpoint(), p.allowedIps(), p.latestHandshakeEpochSecs(), p.rxBytes(), p.txBytes());
  }

  private static Map<String, String> namesOf(Map<String, WgAnnouncement> peers) {
    Map<String, String> out = new HashMap<>();
    peers.forEach((node, a) -> out.put(a.publicKey(), node));
    return out;
  }

  /**
   * Stops keeping the interface, leaving it as it is: on a hand-over the next agent takes it over
   * with its peers, so traffic over the mesh goes on meanwhile.
   */
  public void stopTicking() {
    timer.shutdownNow();
    try {
      if (!timer.awaitTermination(20, TimeUnit.SECONDS)) {
        logger.warn("wireguard: the mesh's last tick did not end within 20 s");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  /** Stops, and deletes the interface unless a newer agent of this POP took it over. */
  @Override
  public void close() {
    stopTicking();
    WgDevice now = device;
    if (now != null) {
      now.close();
    }
  }
}
