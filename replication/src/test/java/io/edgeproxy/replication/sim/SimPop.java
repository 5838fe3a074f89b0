package io.edgeproxy.replication.sim;

import io.edgeproxy.core.change.HybridClock;
import io.edgeproxy.replication.protocol.NodeSettings;
import io.edgeproxy.replication.protocol.PeerAddress;
import io.edgeproxy.replication.protocol.RejoinReport;
import io.edgeproxy.replication.protocol.ReplicaCounters;
import io.edgeproxy.replication.protocol.ReplicaNode;
import io.edgeproxy.replication.protocol.ReplicaRuntime;
import io.edgeproxy.sql.ReplicaStore;
import io.edgeproxy.sql.RoutingDb;
import io.edgeproxy.sql.RowKey;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
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
    db.close();
    node = null;
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

  private final class Listener implements ReplicaNode.Listener {
    @Override
    public void changed(Collection<RowKey> rows) {
      // the simulation reads routing.db itself
    }

    @Override
    public void replaced(RejoinReport report, List<ReplicaStore.LostChange> lost) {
      rejoins.add(report);
      dropped.addAll(lost);
    }
  }
}
