package io.edgeproxy.tools.wireguard;

import io.edgeproxy.core.config.WireGuardConfig;
import io.edgeproxy.core.geo.IpNetwork;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * Which rows of {@code wireguard_peers} become peers: pure, so every rule is tested without an
 * interface. A row must check out ({@link WgAnnouncement#check}), be no older than the newest
 * announcement seen from its node (an old signed row written again is a replay), put its address
 * inside this POP's overlay network, and claim no network another POP (or this one) claims: of
 * two POPs that overlap, the one with the lower node id keeps its networks and the other is
 * refused until one of them changes. Only members that are up count, so a POP gone for good does
 * not hold its networks against the POP that takes them over.
 */
final class WgPeerChoice {
  private static final String NODE_ID = "[A-Za-z0-9._-]{1,128}";

  /** The peers (by node id) and the rows refused, with why. */
  record Choice(Map<String, WgAnnouncement> peers, Map<String, String> rejected) {}

  private final String self;
  private final WireGuardConfig own;
  private final X509Certificate ca;
  /** Per node, the newest {@code issued-ms} seen: an older announcement is a replay. */
  private final Map<String, Long> newest = new TreeMap<>();
  private final Map<String, WgAnnouncement.Checked> checked = new java.util.HashMap<>();

  WgPeerChoice(String self, WireGuardConfig own, X509Certificate ca) {
    this.self = self;
    this.own = own;
    this.ca = ca;
  }

  /** Forgets which texts were checked (certificates expire while their rows stay). */
  void recheck() {
    checked.clear();
  }

  Choice choose(Map<String, String> rows, Set<String> up, long nowMs) {
    Map<String, String> rejected = new TreeMap<>();
    Map<String, WgAnnouncement> candidates = new TreeMap<>(); // by node id: the lower id wins a conflict
    IpNetwork overlay = new IpNetwork(own.address(), own.prefix());
    for (var row : rows.entrySet()) {
      String node = row.getKey();
      if (node.equals(self)) {
        continue;
      }
      if (!node.matches(NODE_ID)) {
        rejected.put(Shell.printable(node), "the node id is not one (expected: " + NODE_ID + ")");
        continue;
      }
      WgAnnouncement.Checked result =
          checked.computeIfAbsent(node + "\n" + row.getValue(), k -> WgAnnouncement.check(node, row.getValue(), ca, nowMs));
      if (result instanceof WgAnnouncement.Invalid invalid) {
        rejected.put(node, Shell.printable(invalid.reason()));
        continue;
      }
      WgAnnouncement a = ((WgAnnouncement.Valid) result).announcement();
      long seen = newest.getOrDefault(node, Long.MIN_VALUE);
      if (a.issuedMs() < seen) {
        rejected.put(node, "its announcement (issued-ms " + a.issuedMs() + ") is older than one already seen (" + seen
            + "): an old row written again");
        continue;
      }
      newest.put(node, a.issuedMs());
      IpNetwork host = IpNetwork.parse(a.hostRoute()).orElseThrow();
      if (!overlay.contains(host.address())) {
        rejected.put(node, "its address " + a.address() + " is outside this POP's overlay " + overlay);
        continue;
      }
      String wide = a.subnets().stream().filter(s -> s.prefix() == 0).map(IpNetwork::toString).findFirst().orElse(null);
      if (wide != null) {
        rejected.put(node, "it routes " + wide + ", every address there is (expected: the backend networks behind it)");
        continue;
      }
      if (up.contains(node)) {
        candidates.put(node, a);
      }
    }
    Map<IpNetwork, String> claimed = new LinkedHashMap<>();
    claimed.put(new IpNetwork(own.address(), own.address().getAddress().length * 8), self);
    own.subnets().forEach(s -> claimed.put(s, self));
    Map<String, String> keys = new TreeMap<>();
    Map<String, WgAnnouncement> peers = new TreeMap<>();
    for (var entry : candidates.entrySet()) {
      String node = entry.getKey();
      WgAnnouncement a = entry.getValue();
      String conflict = keys.containsKey(a.publicKey()) ? "its public key is " + keys.get(a.publicKey()) + "'s" : null;
      List<IpNetwork> networks = networks(a);
      for (IpNetwork net : networks) {
        for (var other : claimed.entrySet()) {
          if (conflict == null && overlap(net, other.getKey())) {
            conflict = "it claims " + net + ", which overlaps " + other.getKey() + " of " + other.getValue();
          }
        }
      }
      if (conflict != null) {
        rejected.put(node, conflict);
        continue;
      }
      networks.forEach(n -> claimed.put(n, node));
      keys.put(a.publicKey(), node);
      peers.put(node, a);
    }
    return new Choice(peers, rejected);
  }

  /** The networks a peer answers for: its overlay address as a host route, then its subnets. */
  static List<IpNetwork> networks(WgAnnouncement a) {
    List<IpNetwork> out = new ArrayList<>();
    out.add(IpNetwork.parse(a.hostRoute()).orElseThrow());
    out.addAll(a.subnets());
    return out;
  }

  static boolean overlap(IpNetwork a, IpNetwork b) {
    return a.contains(b.address()) || b.contains(a.address());
  }
}
