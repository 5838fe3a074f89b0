package io.edgeproxy.tools.shield;

import io.edgeproxy.cache.Rendezvous;
import io.edgeproxy.proxy.CacheShields;
import io.edgeproxy.replication.Replicator;
import io.edgeproxy.tunnel.RelayWire;
import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * The edge cache's regional shield over replication: the shield of a key is the member of this
 * POP's region that rendezvous hashing picks (every POP with the same view of the members picks
 * the same one; when a POP leaves, only its keys move), reached over the POPs' mutual-TLS relay
 * links ({@link RelayWire#shield}).
 */
public final class RegionShields implements CacheShields {
  private final Replicator replicator;
  private final String region;

  public RegionShields(Replicator replicator, String region) {
    this.replicator = replicator;
    this.region = region;
  }

  @Override
  public @Nullable String shieldOf(String key) {
    List<String> members = replicator.membersIn(region);
    if (members.size() < 2) {
      return null;
    }
    List<Rendezvous.Node> nodes = new ArrayList<>(members.size());
    for (String m : members) {
      nodes.add(new Rendezvous.Node(m, 1));
    }
    String pick = Rendezvous.pick(key, nodes);
    return pick == null || pick.equals(replicator.nodeId()) ? null : pick;
  }

  @Override
  public Future<Channel> open(String pop) {
    return RelayWire.shield(replicator.openRelay(pop, RelayWire::prepare));
  }

  @Override
  public String self() {
    return replicator.nodeId();
  }
}
