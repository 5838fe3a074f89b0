package io.edgeproxy.replication.sim;

import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.replication.protocol.NodeSettings;
import io.edgeproxy.sql.Registration;
import io.edgeproxy.sql.Registrations;
import io.edgeproxy.sql.RoutingDb;
import io.edgeproxy.sql.RowKey;
import java.net.InetAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * A seeded, virtual-time run of a cluster of POPs running the production protocol and storage:
 * random writes (sqlite3-style SQL and lease heartbeats) while partitions come and go, links lose
 * and duplicate messages, POPs crash and restart (some upgrading their schema), clocks are skewed;
 * then everything heals, and the run says what does not hold (see {@link #check}). The same seed
 * replays the same run exactly.
 */
final class Simulation implements AutoCloseable {
  /** What a run is made of. */
  record Options(int pops, long chaosMillis, long settleMillis, boolean mixedSchemas, long tombstoneTtlMillis,
      double duplicate, long maxSkewMillis, long wildSkewMillis, long leaseForgetMillis) {
    static Options forSeed(long seed, int pops) {
      Random r = new Random(seed ^ 0x5DEECE66DL);
      long chaos = 40_000 + r.nextInt(40_000);
      boolean mixed = r.nextBoolean();
      long tombstoneTtl = 15_000 + r.nextInt(20_000);
      double duplicate = r.nextDouble() < 0.5 ? 0.02 : 0;
      long wildSkew = r.nextBoolean() ? 2_000 : 0;
      // As the agent sets it: deregister-after (here 1-10 s) plus the tombstone TTL.
      long forget = Long.getLong("sim.forgetMillis", tombstoneTtl + 1_000 + r.nextInt(9_000));
      return new Options(pops, chaos, 45_000, mixed, tombstoneTtl, duplicate, 500, wildSkew, forget);
    }

    /** The same run with registrations forgotten {@code millis} after their lease ends (shorter than any agent allows). */
    Options withLeaseForgetMillis(long millis) {
      return new Options(pops, chaosMillis, settleMillis, mixedSchemas, tombstoneTtlMillis, duplicate, maxSkewMillis, wildSkewMillis,
          millis);
    }

    /** How long after a registration's forget time every POP has forgotten it: a compaction interval and the clock bounds. */
    long forgottenEverywhereAfter() {
      return Math.min(tombstoneTtlMillis / 2, 60_000) + wildSkewMillis + maxSkewMillis + 1_000;
    }
  }

  static final long START = 1_800_000_000_000L;
  static final long SYNC_MILLIS = 500;
  static final long TTL_MILLIS = 3_000;
  static final long HEARTBEAT_MILLIS = 700;
  static final List<String> NEXT_SCHEMA = next();

  final long seed;
  final Options options;
  private final Random random;
  private final EventQueue time = new EventQueue(START);
  private final SimNetwork network;
  private final Map<String, SimPop> pops = new LinkedHashMap<>();
  private final Oracle oracle;
  private final List<Backend> backends = new ArrayList<>();
  private final Set<String> upgraded = new HashSet<>();
  private final NodeSettings settings;
  private boolean chaos = true;
  private boolean quiet;
  private long writes;

  /** A backend heartbeating through a POP of its choice. */
  static final class Backend {
    final String id;
    String home;
    boolean heartbeating = true;
    boolean deregistered;
    long stoppedAt;

    Backend(String id, String home) {
      this.id = id;
      this.home = home;
    }
  }

  Simulation(long seed, Options options, Path dir) {
    this.seed = seed;
    this.options = options;
    this.random = new Random(seed);
    this.network = new SimNetwork(time, random);
    this.oracle = new Oracle(options.leaseForgetMillis() - options.maxSkewMillis() - options.wildSkewMillis());
    network.duplicate = options.duplicate();
    settings = new NodeSettings("sim", "sa", Duration.ofMillis(SYNC_MILLIS), Duration.ofMillis(options.tombstoneTtlMillis()),
        Duration.ofMillis(options.maxSkewMillis()), Duration.ofMillis(options.leaseForgetMillis()), dir);
    for (int i = 0; i < options.pops(); i++) {
      String name = "pop-" + i;
      boolean next = options.mixedSchemas() && i % 3 == 0;
      long skew = random.nextInt(400) - 200;
      if (i == 1 && options.wildSkewMillis() > 0) {
        skew = options.wildSkewMillis(); // a POP whose clock is further ahead than the bound
      }
      pops.put(name, new SimPop(this, name, dir.resolve(name + ".db"), skew, next ? NEXT_SCHEMA : RoutingDb.migrations()));
      if (next) {
        upgraded.add(name);
      }
    }
    List<String> names = List.copyOf(pops.keySet());
    for (int i = 0; i < names.size(); i++) {
      for (int j = i + 1; j < names.size(); j++) {
        network.setLatency(names.get(i), names.get(j), 1 + random.nextInt(80)); // from one rack to across an ocean
      }
    }
  }

  private static List<String> next() {
    List<String> out = new ArrayList<>(RoutingDb.migrations());
    out.add("db/migration-next/V10__next_schema.sql");
    return List.copyOf(out);
  }

  EventQueue time() {
    return time;
  }

  SimNetwork network() {
    return network;
  }

  @Nullable SimPop pop(String name) {
    return pops.get(name);
  }

  /** With -Dsim.trace=table/key, prints every change of that row on every POP (replaying a seed). */
  private void traceIfAsked() {
    String trace = System.getProperty("sim.trace");
    if (trace == null) {
      return;
    }
    RowKey key = new RowKey(trace.substring(0, trace.indexOf('/')), trace.substring(trace.indexOf('/') + 1));
    Map<String, String> last = new java.util.HashMap<>();
    time.afterEach(() -> {
      for (SimPop pop : pops.values()) {
        String state = pop.up() ? String.valueOf(pop.store().rows(List.of(key))) : "(down)";
        if (!state.equals(last.put(pop.name(), state))) {
          System.out.println("TRACE " + (time.now() - START) + " " + pop.name() + " " + state);
        }
      }
    });
  }

  /** Runs the whole scenario; returns what does not hold (empty: all well). */
  List<String> run() {
    traceIfAsked();
    for (SimPop pop : pops.values()) {
      pop.start(settings);
    }
    for (SimPop pop : pops.values()) {
      announce(pop);
    }
    for (int i = 0; i < 3; i++) {
      String id = "hb-" + i;
      Backend b = new Backend(id, randomUp().name());
      backends.add(b);
      time.after(500 + i * 100L, () -> register(b));
      time.after(1_000, () -> heartbeatLoop(b));
    }
    time.after(100, this::writeLoop);
    time.after(1_000, this::chaosLoop);
    time.runUntil(START + options.chaosMillis());
    healEverything();
    time.runUntil(START + options.chaosMillis() + options.settleMillis() / 2);
    quiet = true; // no more writes but heartbeats: what was written must now be everywhere
    time.runUntil(START + options.chaosMillis() + options.settleMillis());
    return check();
  }

  /** Starts {@code pop} with the run's settings and tells it and the others of each other (a scenario of its own). */
  void start(SimPop pop) {
    pop.start(settings);
    announce(pop);
  }

  // ---- membership, as SWIM would tell it

  private void announce(SimPop pop) {
    for (SimPop other : pops.values()) {
      if (other != pop && other.up() && network.reachable(pop.name(), other.name())) {
        pop.node().peerUp(other.address());
        other.node().peerUp(pop.address());
      }
    }
  }

  private void membershipAfterCut(String a, String b) {
    time.after(2_000, () -> {
      if (!network.reachable(a, b)) {
        down(a, b);
        down(b, a);
      }
    });
  }

  private void down(String at, String gone) {
    SimPop pop = pops.get(at);
    if (pop.up()) {
      pop.node().peerDown(gone);
    }
  }

  private void membershipAfterHeal(String a, String b) {
    time.after(1_000, () -> {
      SimPop pa = pops.get(a);
      SimPop pb = pops.get(b);
      if (network.reachable(a, b) && pa.up() && pb.up()) {
        pa.node().peerUp(pb.address());
        pb.node().peerUp(pa.address());
      }
    });
  }

  // ---- workload

  private void writeLoop() {
    if (chaos || (!quiet && random.nextInt(4) == 0)) {
      write();
    }
    time.after(20 + random.nextInt(160), this::writeLoop);
  }

  private void write() {
    SimPop pop = randomUp();
    if (pop == null) {
      return;
    }
    Workload.Write w = Workload.pick(random, upgraded.contains(pop.name()));
    String key = "k" + random.nextInt(6);
    long number = random.nextInt(6);
    Object[] params = Arrays.copyOf(new Object[] {key, number, pop.wallMillis() + random.nextInt(5_000)}, w.parameters());
    try {
      pop.db().write(w.sql(), params);
    } catch (RuntimeException e) {
      return; // e.g. a constraint: nothing written
    }
    committed(pop, w.touched(key, number));
  }

  /** A local write committed on {@code pop}: stamp it now (virtual), let the node version it, note the states. */
  private void committed(SimPop pop, List<RowKey> touched) {
    if (System.getProperty("sim.trace") != null) {
      System.out.println("TRACE " + (time.now() - START) + " " + pop.name() + " writes " + touched);
    }
    pop.db().write("UPDATE __edge_pending SET wall_ms = ? WHERE wall_ms <> 0", pop.wallMillis());
    pop.node().localCommit();
    writes++;
    for (RowChange state : pop.store().rows(touched)) {
      if (!state.key().startsWith("hb-")) { // heartbeats go on to the end: judged by their leases
        oracle.observe(state);
      }
    }
  }

  private void register(Backend b) {
    SimPop pop = pops.get(b.home);
    if (!pop.up()) {
      b.home = randomUp().name();
      pop = pops.get(b.home);
    }
    new Registrations(pop.db()).register(new Registration(b.id, "web", "sa", null, InetAddress.getLoopbackAddress(), 8080, 2,
        100, 150, "{}"), pop.wallMillis(), Duration.ofMillis(TTL_MILLIS), pop.name());
    committed(pop, List.of(new RowKey("backends", b.id), new RowKey("registrations", b.id)));
  }

  private void heartbeatLoop(Backend b) {
    if (!b.heartbeating) {
      return;
    }
    SimPop pop = pops.get(b.home);
    if (!pop.up()) { // a client fails over to another POP
      SimPop other = randomUp();
      if (other != null) {
        b.home = other.name();
        pop = other;
      }
    }
    if (pop.up()) {
      var renewal = new Registrations(pop.db()).heartbeat(b.id, pop.wallMillis(), Duration.ofMillis(TTL_MILLIS), pop.name());
      if (renewal == Registrations.Renewal.UNKNOWN) {
        register(b); // 404: register again, as a client does
      } else if (renewal == Registrations.Renewal.WRITTEN) {
        committed(pop, List.of(new RowKey("registrations", b.id)));
      }
    }
    time.after(HEARTBEAT_MILLIS, () -> heartbeatLoop(b));
  }

  // ---- faults

  private void chaosLoop() {
    if (!chaos) {
      return;
    }
    List<String> names = List.copyOf(pops.keySet());
    int roll = random.nextInt(100);
    if (roll < 8) {
      partition(names);
    } else if (roll < 12) {
      crash();
    } else if (roll < 16) {
      String a = names.get(random.nextInt(names.size()));
      String b = names.get(random.nextInt(names.size()));
      if (!a.equals(b)) {
        network.setLoss(a, b, 0.2 + random.nextDouble() * 0.3);
        time.after(5_000 + random.nextInt(15_000), () -> network.setLoss(a, b, 0));
      }
    } else if (roll < 18 && !backends.isEmpty()) {
      Backend b = backends.get(random.nextInt(backends.size()));
      if (b.heartbeating && random.nextBoolean()) {
        b.heartbeating = false; // it stops: it must expire everywhere
        b.stoppedAt = time.now();
      } else if (b.heartbeating && !b.deregistered) {
        SimPop pop = pops.get(b.home);
        if (pop.up()) {
          b.heartbeating = false;
          b.deregistered = true;
          b.stoppedAt = time.now();
          new Registrations(pop.db()).deregister(b.id);
          committed(pop, List.of(new RowKey("backends", b.id), new RowKey("registrations", b.id)));
        }
      }
    }
    time.after(1_000, this::chaosLoop);
  }

  private void partition(List<String> names) {
    List<String> shuffled = new ArrayList<>(names);
    java.util.Collections.shuffle(shuffled, random);
    List<String> side = shuffled.subList(0, 1 + random.nextInt(Math.max(1, names.size() / 2)));
    long length = random.nextInt(10) == 0 ? options.tombstoneTtlMillis() + 5_000 + random.nextInt(10_000)
        : 2_000 + random.nextInt(15_000);
    List<String[]> links = new ArrayList<>();
    for (String a : side) {
      for (String b : names) {
        if (!side.contains(b)) {
          links.add(new String[] {a, b});
          network.cut(a, b);
          membershipAfterCut(a, b);
        }
      }
    }
    time.after(length, () -> {
      for (String[] link : links) {
        network.heal(link[0], link[1]);
        membershipAfterHeal(link[0], link[1]);
      }
    });
  }

  private void crash() {
    SimPop pop = randomUp();
    if (pop == null) {
      return;
    }
    pop.crash();
    network.killAll(pop.name());
    for (SimPop other : pops.values()) {
      if (other != pop) {
        time.after(2_000, () -> {
          if (other.up() && !pop.up()) {
            other.node().peerDown(pop.name());
          }
        });
      }
    }
    time.after(1_000 + random.nextInt(15_000), () -> restart(pop));
  }

  private void restart(SimPop pop) {
    if (pop.up()) {
      return;
    }
    if (options.mixedSchemas() && !upgraded.contains(pop.name()) && random.nextBoolean()) {
      pop.setMigrations(NEXT_SCHEMA); // a rolling upgrade
      upgraded.add(pop.name());
    }
    pop.start(settings);
    announce(pop);
  }

  private void healEverything() {
    chaos = false;
    network.healAll();
    network.clearLoss();
    for (SimPop pop : pops.values()) {
      if (!pop.up()) {
        restart(pop);
      }
    }
    for (SimPop pop : pops.values()) {
      announce(pop);
    }
  }

  private @Nullable SimPop randomUp() {
    List<SimPop> up = pops.values().stream().filter(SimPop::up).toList();
    return up.isEmpty() ? null : up.get(random.nextInt(up.size()));
  }

  // ---- the verdict

  /** What does not hold after the run; empty when everything does. */
  private List<String> check() {
    return new Verdict(options, time.now(), backends, oracle).problems(List.copyOf(pops.values()));
  }

  String summary() {
    return "seed " + seed + ": " + pops.size() + " POPs, " + writes + " writes, " + oracle.rowsObserved() + " rows, "
        + network.messages + " messages (" + network.duplicated + " duplicated), " + time.eventsRun() + " events, "
        + pops.values().stream().mapToInt(p -> p.rejoins.size()).sum() + " rejoins, options " + options;
  }

  @Override
  public void close() {
    for (SimPop pop : pops.values()) {
      pop.crash();
    }
  }
}
