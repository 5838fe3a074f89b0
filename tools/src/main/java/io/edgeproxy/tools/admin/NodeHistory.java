package io.edgeproxy.tools.admin;

import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.routing.BackendLoad;
import io.edgeproxy.core.routing.RoutingState;
import io.edgeproxy.replication.ReplicationStatus;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * The last 15 minutes of this POP, kept in memory for the status page's charts: every
 * {@link #STEP}, per backend and per app the open connections, new connections and bytes (both
 * ways) per second; per replication peer its lag and whether it is connected; and every change of
 * a backend's health (as routing sees it here: its row's flag, ejection or a failing check). Series
 * are rings of {@link #SAMPLES} floats (NaN: not there yet, or gone); a backend, app or peer not
 * seen for the whole window is dropped. Thread-safe: {@link #sample} runs on a timer, {@link #view}
 * on the API's threads.
 *
 * <p>Series are kept for at most {@link #CHARTED_BACKENDS} backends of the POP (2 KB each): every
 * backend while there are no more than that, else the busiest. How busy: open connections plus new
 * ones per second; a backend without series, in this sample; a charted one, at its busiest in the
 * window (so a backend busy a minute ago keeps its line against one busy only now), and a charted
 * one gone from routing as less busy than an idle one. A backend without series takes the place of
 * the least busy charted one when it is busier; the one it replaces leaves the view with its past.
 * Apps sum all their backends, charted or not, and every backend's health changes are events; so
 * 20,000 backends cost a few dozen bytes each, not 44 MB, and the page draws lines a reader can
 * tell apart.
 */
public final class NodeHistory {
  public static final Duration STEP = Duration.ofSeconds(5);
  static final int SAMPLES = (int) (Duration.ofMinutes(15).toSeconds() / STEP.toSeconds());
  /** Backends with series of their own at most. */
  static final int CHARTED_BACKENDS = 50;

  private final RoutingState state;
  private final Supplier<@Nullable ReplicationStatus> replication;
  private final long[] times = new long[SAMPLES];
  private long taken;
  /** Every backend routing knows: what its next sample is measured from (a few bytes each). */
  private final Map<String, Counters> counters = new HashMap<>();
  /** The charted backends' series (see {@link #CHARTED_BACKENDS}). */
  private final Map<String, Track> backends = new HashMap<>();
  private final Map<String, Track> apps = new HashMap<>();
  private final Map<String, Track> peers = new HashMap<>();
  private final Deque<Map<String, Object>> events = new ArrayDeque<>();

  public NodeHistory(RoutingState state, Supplier<@Nullable ReplicationStatus> replication) {
    this.state = state;
    this.replication = replication;
  }

  /** One backend's counters at the previous sample, and its health then. */
  private static final class Counters {
    final String app;
    long connections = -1;
    long bytes = -1;
    /** When they were read (monotonic): a backend back after a gap has its rates over the gap. */
    long atNanos;
    boolean up;
    boolean known;
    long seen;

    Counters(String app) {
      this.app = app;
    }
  }

  /** One series set of one backend, app or peer. */
  private static final class Track {
    final String app;
    final float[][] values;
    long seen;
    /** How busy its backend has been at most in the window (charted backends only; -1: gone from routing). */
    float busy = -1;

    Track(String app, int series) {
      this.app = app;
      this.values = new float[series][SAMPLES];
      for (float[] v : values) {
        java.util.Arrays.fill(v, Float.NaN);
      }
    }
  }

  private static final int ACTIVE = 0;
  private static final int NEW_PER_SEC = 1;
  private static final int BYTES_PER_SEC = 2;
  private static final int LAG_MS = 0;
  private static final int CONNECTED = 1;

  /** Samples now, then every {@link #STEP} on a thread of its own, until closed. */
  public AutoCloseable startSampling() {
    java.util.concurrent.ScheduledExecutorService timer = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "history");
      t.setDaemon(true);
      return t;
    });
    timer.scheduleAtFixedRate(() -> {
      try {
        sample(System.currentTimeMillis());
      } catch (RuntimeException e) {
        org.slf4j.LoggerFactory.getLogger(NodeHistory.class).warn("status page history: a sample failed: {}", e.toString());
      }
    }, 0, STEP.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS);
    return timer::shutdownNow;
  }

  /** Takes a sample now ({@code nowMs}: the wall clock, for the time axis; rates use the monotonic clock). */
  public void sample(long nowMs) {
    sample(nowMs, System.nanoTime());
  }

  /** {@link #sample(long)} at monotonic time {@code nowNanos} (tests give both clocks). */
  synchronized void sample(long nowMs, long nowNanos) {
    int slot = (int) (taken % SAMPLES);
    times[slot] = nowMs;
    Map<String, float[]> appSums = new HashMap<>();
    Candidates waiting = new Candidates(); // backends with no series, when all are taken
    for (Track t : backends.values()) {
      t.busy = -1;
    }
    for (Backend b : state.current().backends()) {
      float[] row = observe(b, slot, nowMs, nowNanos, waiting);
      addTo(appSums.computeIfAbsent(b.app(), a -> new float[] {Float.NaN, Float.NaN, Float.NaN}), row);
    }
    counters.values().removeIf(c -> taken - c.seen >= SAMPLES);
    chartBusiest(waiting.busiestFirst(), slot);
    for (var e : appSums.entrySet()) {
      Track t = apps.computeIfAbsent(e.getKey(), a -> new Track(a, 3));
      for (int s = 0; s < 3; s++) {
        t.values[s][slot] = e.getValue()[s];
      }
      t.seen = taken;
    }
    samplePeers(slot);
    for (Map<String, Track> tracks : List.of(backends, apps, peers)) {
      tracks.values().removeIf(t -> taken - t.seen >= SAMPLES);
      for (Track t : tracks.values()) {
        if (t.seen != taken) {
          for (float[] v : t.values) {
            v[slot] = Float.NaN;
          }
        }
      }
    }
    while (!events.isEmpty() && (long) events.peekFirst().get("t") < nowMs - SAMPLES * STEP.toMillis()) {
      events.removeFirst();
    }
    taken++;
  }

  /**
   * One backend's sample (open, new per second, bytes per second), recorded in its series if it
   * has one, else offered to {@code waiting}; its counters move on and a health change is an event.
   * Kept out of {@link #sample}'s loop so that the JIT compiles it once, small (a POP may have
   * 100,000 backends, and the loop with this inlined compiled to 56 KB).
   */
  private float[] observe(Backend b, int slot, long nowMs, long nowNanos, Candidates waiting) {
    Counters c = counters.get(b.id());
    if (c == null || !c.app.equals(b.app())) { // an id now of another app starts afresh: its past was the other app's
      c = new Counters(b.app());
      counters.put(b.id(), c);
    }
    Track t = backends.get(b.id());
    if (t != null && !t.app.equals(b.app())) {
      backends.remove(b.id());
      t = null;
    }
    BackendLoad load = state.loads().loadOf(b.id());
    long connections = load.connectionsTotal();
    long bytes = load.bytesToBackend() + load.bytesFromBackend();
    double since = (nowNanos - c.atNanos) / 1e9;
    float[] row = {load.active(), rate(connections, c.connections, since), rate(bytes, c.bytes, since)};
    c.connections = connections;
    c.bytes = bytes;
    c.atNanos = nowNanos;
    c.seen = taken;
    boolean up = b.healthy() && !load.isDownHere(nowNanos);
    if (c.known && up != c.up) {
      event(nowMs, b, up);
    }
    c.up = up;
    c.known = true; // a backend first seen unhealthy has not changed
    if (t == null && backends.size() < CHARTED_BACKENDS) {
      t = new Track(b.app(), 3);
      backends.put(b.id(), t);
    }
    if (t != null) {
      record(t, row, slot);
    } else {
      waiting.offer(b, row);
    }
    return row;
  }

  /** Adds a backend's sample to its app's sum; a first sample's missing rate is no gap in the app's line. */
  private static void addTo(float[] sum, float[] row) {
    for (int s = 0; s < row.length; s++) {
      if (!Float.isNaN(row[s])) {
        sum[s] = Float.isNaN(sum[s]) ? row[s] : sum[s] + row[s];
      }
    }
  }

  private void samplePeers(int slot) {
    ReplicationStatus status = replication.get();
    if (status != null) {
      for (ReplicationStatus.Peer p : status.peers()) {
        Track t = peers.computeIfAbsent(p.nodeId(), id -> new Track(p.region(), 2));
        t.values[LAG_MS][slot] = p.connected() ? p.millisBehind() : Float.NaN;
        t.values[CONNECTED][slot] = p.connected() ? 1 : 0;
        t.seen = taken;
      }
    }
  }

  /**
   * The busiest backends without series in this sample, at most {@link #CHARTED_BACKENDS} (no more
   * can take a place), ties in the order routing lists them: offering one is a comparison, not an
   * entry per backend to sort.
   */
  private static final class Candidates {
    record Candidate(Backend backend, float[] row, float busy, int order) {}

    private final java.util.PriorityQueue<Candidate> kept = new java.util.PriorityQueue<>(
        java.util.Comparator.comparingDouble(Candidate::busy).thenComparing(Candidate::order, java.util.Comparator.reverseOrder()));
    private int offered;

    void offer(Backend b, float[] row) {
      float busy = busy(row);
      int order = offered++;
      if (kept.size() < CHARTED_BACKENDS) {
        kept.add(new Candidate(b, row, busy, order));
      } else if (busy > kept.peek().busy()) {
        kept.poll();
        kept.add(new Candidate(b, row, busy, order));
      }
    }

    List<Candidate> busiestFirst() {
      List<Candidate> all = new ArrayList<>(kept);
      all.sort(java.util.Comparator.comparingDouble((Candidate c) -> -c.busy()).thenComparingInt(Candidate::order));
      return all;
    }
  }

  private void event(long nowMs, Backend b, boolean up) {
    Map<String, Object> e = new LinkedHashMap<>();
    e.put("t", nowMs);
    e.put("app", b.app());
    e.put("backend", b.id());
    e.put("healthy", up);
    events.addLast(e);
  }

  private void record(Track t, float[] row, int slot) {
    for (int s = 0; s < row.length; s++) {
      t.values[s][slot] = row[s];
    }
    t.seen = taken;
    float most = 0;
    for (int i = 0; i < SAMPLES; i++) {
      float v = busy(t.values[ACTIVE][i], t.values[NEW_PER_SEC][i]);
      most = Float.isNaN(v) ? most : Math.max(most, v); // NaN: a sample before it was charted
    }
    t.busy = most;
  }

  private static float busy(float[] row) {
    return busy(row[ACTIVE], row[NEW_PER_SEC]);
  }

  /** Open connections plus new ones per second (a first sample's missing rate counts 0). */
  private static float busy(float active, float newPerSec) {
    return active + (Float.isNaN(newPerSec) ? 0 : newPerSec);
  }

  /**
   * Backends without series ({@code waiting}) take, busiest first, the places of the charted
   * backends least busy (at their busiest in the window), while they are busier now.
   */
  private void chartBusiest(List<Candidates.Candidate> waiting, int slot) {
    if (waiting.isEmpty()) {
      return;
    }
    java.util.PriorityQueue<Map.Entry<String, Track>> quietest =
        new java.util.PriorityQueue<>((x, y) -> Float.compare(x.getValue().busy, y.getValue().busy));
    quietest.addAll(backends.entrySet());
    for (var w : waiting) {
      Map.Entry<String, Track> out = quietest.peek();
      if (out == null || out.getValue().busy >= w.busy()) {
        return; // the rest are no busier
      }
      quietest.poll();
      backends.remove(out.getKey());
      Track t = new Track(w.backend().app(), 3);
      record(t, w.row(), slot);
      backends.put(w.backend().id(), t);
    }
  }

  /** Per second since the counter was last read; NaN for its first reading. */
  private static float rate(long now, long before, double seconds) {
    return before < 0 || seconds <= 0 ? Float.NaN : (float) (Math.max(0, now - before) / seconds);
  }

  /**
   * The window as JSON-ready maps, oldest sample first: {@code times} (ms), {@code apps} and
   * {@code backends} (each with its {@code app}: the API filters them by the caller's scope),
   * {@code peers} and health {@code events}.
   */
  public synchronized Map<String, Object> view() {
    int n = (int) Math.min(taken, SAMPLES);
    long first = taken - n;
    List<Long> axis = new ArrayList<>(n);
    for (long i = first; i < taken; i++) {
      axis.add(times[(int) (i % SAMPLES)]);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("stepSeconds", STEP.toSeconds());
    out.put("times", axis);
    out.put("apps", tracks(apps, first, n, "app", List.of("active", "newPerSec", "bytesPerSec")));
    out.put("backends", tracks(backends, first, n, "backend", List.of("active", "newPerSec", "bytesPerSec")));
    out.put("peers", tracks(peers, first, n, "node", List.of("lagMs", "connected")));
    out.put("events", List.copyOf(events));
    return out;
  }

  private static List<Map<String, Object>> tracks(Map<String, Track> tracks, long first, int n, String name, List<String> series) {
    List<Map<String, Object>> out = new ArrayList<>();
    for (var e : new TreeMap<>(tracks).entrySet()) {
      Map<String, Object> one = new LinkedHashMap<>();
      one.put(name, e.getKey());
      one.put(name.equals("node") ? "region" : "app", e.getValue().app);
      for (int s = 0; s < series.size(); s++) {
        List<@Nullable Float> values = new ArrayList<>(n);
        for (long i = first; i < first + n; i++) {
          float v = e.getValue().values[s][(int) (i % SAMPLES)];
          values.add(Float.isNaN(v) ? null : v);
        }
        one.put(series.get(s), values);
      }
      out.add(one);
    }
    return out;
  }
}
