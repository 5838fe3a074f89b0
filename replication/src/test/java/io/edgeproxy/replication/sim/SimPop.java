package io.edgeproxy.replication.sim;

import io.edgeproxy.core.change.HybridClock;
import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.routing.LoadBoard;
import io.edgeproxy.core.routing.RoutingState;
import io.edgeproxy.replication.protocol.NodeSettings;
import io.edgeproxy.replication.protocol.PeerAddress;
import io.edgeproxy.replication.protocol.RejoinReport;
import io.edgeproxy.replication.protocol.ReplicaCounters;
import io.edgeproxy.replication.protocol.ReplicaNode;
import io.edgeproxy.replication.protocol.ReplicaRuntime;
import io.edgeproxy.sql.LeaseRule;
import io.edgeproxy.sql.ReplicaStore;
import io.edgeproxy.sql.RoutingReloader;
import io.edgeproxy.sql.RoutingDb;
import io.edgeproxy.sql.RowKey;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One simulated POP: a real routing.db file, the production {@link ReplicaStore} and
 * {@link ReplicaNode}, over a {@link ReplicaRuntime} of virtual time and the simulated network.
 * A crash drops everything in memory (the node, pending timers, arrivals not yet merged);
 * routing.db keeps what was committed.
 */
final class SimPop {
  private final String name;
  private final Path file;
  private final Simulation sim;
  private long skewMillis;
  private List<String> migrations;
  private int incarnation;
  private boolean up;
  private @Nullable RoutingDb db;
  private @Nullable ReplicaStore store;
  private @Nullable ReplicaNode node;
  private @Nullable HybridClock clock;
  /**
   * The routing snapshot as an agent keeps it while replication runs: one full read at start, then
   * only what the node reports (its listener), never a re-read after this process's own commits.
   */
  private @Nullable RoutingState routed;
  private @Nullable RoutingReloader reloader;
  final List<ReplicaStore.LostChange> dropped = new ArrayList<>();
  final List<RejoinReport> rejoins = new ArrayList<>();

  SimPop(Simulation sim, String name, Path file, long skewMillis, List<String> migrations) {
    this.sim = sim;
    this.name = name;
    this.file = file;
    this.skewMillis = skewMillis;
    this.migrations = migrations;
  }

  String name() {
    return name;
  }

  int incarnation() {
    return incarnation;
  }

  boolean up() {
    return up;
  }

  long wallMillis() {
    return sim.time().now() + skewMillis;
  }

  void setSkew(long millis) {
    skewMillis = millis;
  }

  void setMigrations(List<String> value) {
    migrations = value;
  }

  ReplicaNode node() {
    return node;
  }

  ReplicaStore store() {
    return store;
  }

  RoutingDb db() {
    return db;
  }

  HybridClock clock() {
    return clock;
  }

  PeerAddress address() {
    return new PeerAddress(name, "sa", InetSocketAddress.createUnresolved(name, 4002));
  }

  void start(NodeSettings settings) {
    incarnation++;
    up = true;
    db = RoutingDb.open(file, migrations);
    routed = new RoutingState("sa", new LoadBoard());
    reloader = new RoutingReloader(db, routed, LeaseRule.defaults(), this::wallMillis);
    reloader.loadFirst();
    reloader.writesReported(true);
    store = ReplicaStore.open(db, name);
    clock = new HybridClock(this::wallMillis, settings.maxSkew());
    node = new ReplicaNode(settings, store, clock, new Runtime(incarnation), new Listener(), new ReplicaCounters());
    node.start();
  }

  /** Stops at once, as {@code kill -9}: nothing in memory survives, routing.db keeps what was committed. */
  void crash() {
    if (!up) {
      return;
    }
    up = false;
    incarnation++;
    node.close();
    reloader.close();
    db.close();
    node = null;
    reloader = null;
    store = null;
    db = null;
  }

  /** Runs {@code task} on this POP if it is up and still the same incarnation. */
  private Runnable guarded(int inc, Runnable task) {
    return () -> {
      if (up && incarnation == inc) {
        task.run();
      }
    };
  }

  private final class Runtime implements ReplicaRuntime {
    private final int inc;

    Runtime(int inc) {
      this.inc = inc;
    }

    @Override
    public long wallMillis() {
      return SimPop.this.wallMillis();
    }

    @Override
    public long nanoTime() {
      return sim.time().now() * 1_000_000;
    }

    @Override
    public Cancellable schedule(long delayMillis, Runnable task) {
      boolean[] cancelled = {false};
      sim.time().after(delayMillis, guarded(inc, () -> {
        if (!cancelled[0]) {
          task.run();
        }
      }));
      return () -> cancelled[0] = true;
    }

    @Override
    public void execute(Runnable task) {
      sim.time().after(0, guarded(inc, task));
    }

    @Override
    public void connect(PeerAddress peer, Consumer<@Nullable Connection> done) {
      SimPop other = sim.pop(peer.nodeId());
      boolean reachable = other != null && other.up() && sim.network().reachable(name, peer.nodeId());
      if (!reachable) {
        sim.time().after(SimNetwork.CONNECT_TIMEOUT_MILLIS, guarded(inc, () -> done.accept(null)));
        return;
      }
      long rtt = 2 * sim.network().latency(name, peer.nodeId());
      sim.time().after(rtt, guarded(inc, () -> {
        if (!other.up() || !sim.network().reachable(name, peer.nodeId())) {
          done.accept(null);
          return;
        }
        done.accept(new SimConnection(sim.network(), SimPop.this, other).end(SimPop.this));
      }));
    }
  }

  /**
   * Where the routing snapshot kept from the node's reports differs from a full read of routing.db
   * now (empty: nowhere). A difference is a change the node made and did not report.
   */
  List<String> routingProblems() {
    reloader.applyDueLeases(); // as the agent's lease timer would have by now
    RoutingState fresh = new RoutingState("sa", new LoadBoard());
    try (RoutingReloader full = new RoutingReloader(db, fresh, LeaseRule.defaults(), this::wallMillis)) {
      full.loadFirst();
    }
    Set<Backend> kept = new HashSet<>(routed.current().backends());
    Set<Backend> read = new HashSet<>(fresh.current().backends());
    if (kept.equals(read)) {
      return List.of();
    }
    Set<Backend> onlyKept = new HashSet<>(kept);
    onlyKept.removeAll(read);
    read.removeAll(kept);
    return List.of(name + "'s routing kept from what its node reported differs from routing.db: only in the snapshot "
        + onlyKept.stream().limit(3).toList() + ", only in the file " + read.stream().limit(3).toList());
  }

  private final class Listener implements ReplicaNode.Listener {
    @Override
    public void changed(Collection<RowKey> rows) {
      reloader.applyChanges(rows);
    }

    @Override
    public void replaced(RejoinReport report, List<ReplicaStore.LostChange> lost) {
      rejoins.add(report);
      dropped.addAll(lost);
      reloader.reloadNow();
    }
  }
}
