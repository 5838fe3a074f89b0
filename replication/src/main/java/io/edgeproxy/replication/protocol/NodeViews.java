package io.edgeproxy.replication.protocol;

import io.edgeproxy.core.change.HybridClock;
import io.edgeproxy.replication.wire.Hello;
import io.edgeproxy.sql.ReplicaStore;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** How a node's state reads from outside: its {@link NodeView}, and which POPs hold a receipt. Pure. */
final class NodeViews {
  private NodeViews() {}

  static List<NodeView.PeerView> peers(Collection<PeerSession> sessions, Map<String, Long> holds) {
    List<NodeView.PeerView> out = new ArrayList<>();
    for (PeerSession s : sessions) {
      long theirNewest = s.holds.getOrDefault(s.node(), 0L);
      long ofTheirsHere = holds.getOrDefault(s.node(), 0L);
      long behind = theirNewest == 0 ? 0 : Math.max(0, HybridClock.millisOf(theirNewest) - HybridClock.millisOf(ofTheirsHere));
      ClockOffsets.Sample best = s.offsets.best();
      String rejoin = switch (s.verdict) {
        case REJOIN -> "self";
        case PEER_REJOINS -> "peer";
        case MERGE -> null;
      };
      Hello h = s.hello;
      String protocol = h == null ? "" : h.getMinProtocol() == h.getMaxProtocol() ? String.valueOf(h.getMaxProtocol())
          : h.getMinProtocol() + "-" + h.getMaxProtocol();
      out.add(new NodeView.PeerView(s.node(), s.address.region(), s.address.streamAddress().getHostString() + ":"
          + s.address.streamAddress().getPort(), s.connected(), h == null ? 0 : h.getSchemaVersion(), protocol,
          s.lastSyncAtMillis, s.lastSyncRows, behind, best == null ? null : best.offsetMillis(),
          best == null ? null : best.rttMillis(), s.skewed, rejoin));
    }
    out.sort(Comparator.comparing(NodeView.PeerView::nodeId));
    return out;
  }

  /**
   * Which POPs have applied {@code receipt}: this one from what it holds, every other member ever
   * seen (down ones included) from what it last said it holds; a POP counts as applying its own.
   */
  static ReceiptStatus receipt(Receipt receipt, String self, Map<String, Long> holds, PeerLinks peers,
      List<ReplicaStore.Member> members) {
    Map<String, Boolean> byNode = new LinkedHashMap<>();
    byNode.put(self, receipt.origin().equals(self) || covers(holds.getOrDefault(receipt.origin(), 0L), receipt));
    List<String> known = new ArrayList<>();
    peers.all().forEach(s -> known.add(s.node()));
    members.forEach(m -> known.add(m.node()));
    for (String node : known) {
      if (byNode.containsKey(node)) {
        continue;
      }
      PeerSession s = peers.get(node);
      long theirs = s == null ? 0 : receipt.origin().equals(self) ? Math.max(s.holdsOfSelf, s.holds.getOrDefault(self, 0L))
          : s.holds.getOrDefault(receipt.origin(), 0L);
      byNode.put(node, node.equals(receipt.origin()) || covers(theirs, receipt));
    }
    List<String> applied = new ArrayList<>();
    List<String> missing = new ArrayList<>();
    byNode.forEach((node, ok) -> (ok ? applied : missing).add(node));
    return new ReceiptStatus(receipt, applied, missing);
  }

  private static boolean covers(long held, Receipt receipt) {
    return Long.compareUnsigned(held, receipt.txn()) >= 0;
  }
}
