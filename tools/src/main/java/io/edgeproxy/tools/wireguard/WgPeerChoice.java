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
 * Which rows of {@code wireguard_peers} become peers, and which of their networks they answer for:
 * pure, so every rule is tested without an interface. A row must check out
 * ({@link WgAnnouncement#check}), be no older than the newest announcement seen from its node (an
 * old signed row written again is a replay), and put its address inside this POP's overlay network;
 * its public key must be no other POP's (nor this one's). Each of its subnets must be no wider than
 * /8 (IPv4) or /16 (IPv6), contain no POP's endpoint (the tunnel would carry its own packets), and
 * overlap no network this POP or another POP claims: of two POPs that overlap, the one with the
 * lower node id keeps the subnet and the other is still a peer, without it. Only members that are
 * up count, so a POP gone for good does not hold its networks against the POP that takes them over.
 */
final class WgPeerChoice {
  private static final String NODE_ID = "[A-Za-z0-9._-]{1,128}";

  /** The peers (by node id) and the rows refused, with why. */
  record Choice(Map<String, WgAnnouncement> peers, Map<String, String> rejected) {}

  private final String self;
  private final WireGuardConfig own;
  private final X509Certificate ca;
  private final String ownPublicKey;
  /** Per node, the newest {@code issued-ms} seen: an older announcement is a replay. */
  private final Map<String, Long> newest = new TreeMap<>();
  private final Map<String, WgAnnouncement.Checked> checked = new java.util.HashMap<>();

  WgPeerChoice(String self, String ownPublicKey, WireGuardConfig own, X509Certificate ca) {
    this.self = self;
    this.ownPublicKey = ownPublicKey;
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
      if (up.contains(node)) {
        candidates.put(node, a);
      }
    }
    List<java.net.InetAddress> endpoints = new ArrayList<>();
    candidates.values().forEach(a -> endpointAddress(a).ifPresent(endpoints::add));
    Map<IpNetwork, String> claimed = new LinkedHashMap<>();
    claimed.put(new IpNetwork(own.address(), own.address().getAddress().length * 8), self);
    own.subnets().forEach(s -> claimed.put(s, self));
    Map<String, String> keys = new TreeMap<>();
    keys.put(ownPublicKey, self);
    Map<String, WgAnnouncement> peers = new TreeMap<>();
    for (var entry : candidates.entrySet()) {
      String node = entry.getKey();
      WgAnnouncement a = entry.getValue();
      IpNetwork host = IpNetwork.parse(a.hostRoute()).orElseThrow();
      String conflict = keys.containsKey(a.publicKey()) ? "its public key is " + keys.get(a.publicKey()) + "'s"
          : claimant(host, claimed).map(o -> "its address " + host + " overlaps " + o).orElse(null);
      if (conflict != null) {
        rejected.put(node, conflict);
        continue;
      }
      List<IpNetwork> kept = new ArrayList<>();
      List<String> cut = new ArrayList<>();
      for (IpNetwork subnet : a.subnets()) {
        String why = subnet.prefix() < (subnet.address().getAddress().length == 4 ? 8 : 16) ? "wider than /8 (IPv4) or /16 (IPv6)"
            : endpoints.stream().filter(subnet::contains).findFirst().map(e -> "holds the endpoint " + e.getHostAddress()).orElse(null);
        if (why == null) {
          why = claimant(subnet, claimed).map(o -> "overlaps " + o).orElse(null);
        }
        if (why == null) {
          kept.add(subnet);
        } else {
          cut.add(subnet + " (" + why + ")");
        }
      }
      if (!cut.isEmpty()) {
        rejected.put(node, "subnets left out: " + String.join(", ", cut));
      }
      claimed.put(host, node);
      kept.forEach(n -> claimed.put(n, node));
      keys.put(a.publicKey(), node);
      peers.put(node, new WgAnnouncement(a.node(), a.publicKey(), a.endpoint(), a.address(), kept, a.issuedMs()));
    }
    return new Choice(peers, rejected);
  }

  /** Who claims a network overlapping {@code net} already: "10.60.1.0/24 of pop-1". */
  private static java.util.Optional<String> claimant(IpNetwork net, Map<IpNetwork, String> claimed) {
    return claimed.entrySet().stream().filter(c -> overlap(net, c.getKey())).findFirst().map(c -> c.getKey() + " of " + c.getValue());
  }

  /** The endpoint's address when it is an IP literal (a name is resolved by wg, later). */
  private static java.util.Optional<java.net.InetAddress> endpointAddress(WgAnnouncement a) {
    String host = a.endpoint().substring(0, a.endpoint().lastIndexOf(':'));
    if (host.startsWith("[")) {
      host = host.substring(1, host.length() - 1);
    }
    return io.edgeproxy.core.geo.IpAddresses.parseLiteral(host);
  }

  /** The networks a peer answers for: its overlay address as a host route, then its subnets. */
  static List<IpNetwork> networks(WgAnnouncement a) {
    List<IpNetwork> out = new ArrayList<>();
    out.add(IpNetwork.parse(a.hostRoute()).orElseThrow());
    out.addAll(a.subnets());
    return out;
  }

  /** {@link #networks} as WireGuard's AllowedIPs take them. */
  static List<String> allowedIps(WgAnnouncement a) {
    return networks(a).stream().map(IpNetwork::toString).toList();
  }

  static boolean overlap(IpNetwork a, IpNetwork b) {
    return a.contains(b.address()) || b.contains(a.address());
  }
}
