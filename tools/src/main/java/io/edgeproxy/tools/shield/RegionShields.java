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
  /** A shield that could not be asked is passed over this long (its keys go to the origin, not to a timeout each). */
  static final long DOWN_FOR_NANOS = java.util.concurrent.TimeUnit.SECONDS.toNanos(10);
  private final Replicator replicator;
  private final String region;
  private final java.util.concurrent.ConcurrentHashMap<String, Long> downUntil = new java.util.concurrent.ConcurrentHashMap<>();

  private final java.time.Duration answerWithin;

  /** @param answerWithin how long a shield has to say OK (the proxy's connect timeout) before its keys go to the origin */
  public RegionShields(Replicator replicator, String region, java.time.Duration answerWithin) {
    this.replicator = replicator;
    this.region = region;
    this.answerWithin = answerWithin;
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
    if (pick == null || pick.equals(replicator.nodeId())) {
      return null;
    }
    Long until = downUntil.get(pick);
    if (until != null && System.nanoTime() - until < 0) {
      return null; // down a moment ago: the origin, until it is tried again (keys stay put: no other POP takes them)
    }
    return pick;
  }

  @Override
  public Future<Channel> open(String pop) {
    Runnable down = () -> downUntil.put(pop, System.nanoTime() + DOWN_FOR_NANOS);
    Future<Channel> opening = RelayWire.shield(replicator.openRelay(pop, RelayWire::prepare), answerWithin, down);
    opening.addListener(f -> {
      if (!f.isSuccess()) {
        down.run();
      }
    });
    return opening;
  }

  @Override
  public String self() {
    return replicator.nodeId();
  }
}
