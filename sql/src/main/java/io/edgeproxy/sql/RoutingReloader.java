package io.edgeproxy.sql;

import static java.util.Objects.requireNonNull;

import io.edgeproxy.core.routing.Backend;
import io.edgeproxy.core.routing.RoutingSnapshot;
import io.edgeproxy.core.routing.RoutingState;
import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Keeps {@link RoutingState} in step with routing.db: checks the database's change stamp every
 * {@code interval} and reloads only when it moved (an unchanged database is never re-read; while
 * replication runs, only another process's commit moves it: {@link #writesReported}), and
 * applies what the appliance itself wrote at once ({@link #applyChanges}, {@link #reloadNow()}).
 *
 * <p>A bad row is warned about once, when it first appears, not on every reload. When routing.db
 * cannot be read at all, the last good snapshot stays in force and the failure is logged.
 */
public final class RoutingReloader implements AutoCloseable {
  private static final Logger logger = LoggerFactory.getLogger(RoutingReloader.class);

  private final RoutingDb db;
  private final RoutingState state;
  private final ScheduledExecutorService timer;
  private Set<String> warned = Set.of();
  private long lastStamp = Long.MIN_VALUE;
  /** See {@link #writesReported}. */
  private boolean writesReported;
  private boolean failing;
  private Runnable beforeLoad = () -> { };
  private final LeaseBook leases;
  private final java.util.function.LongSupplier clockMs;
  /** How often lease boundaries are looked at: an expiry shows in routing within this. */
  private static final long LEASE_TICK_MILLIS = 200;

  public RoutingReloader(RoutingDb db, RoutingState state) {
    this(db, state, LeaseRule.defaults(), System::currentTimeMillis);
  }

  /**
   * @param leases how registrations' leases decide whether their backends route
   * @param clockMs wall-clock milliseconds leases are judged by
   */
  public RoutingReloader(RoutingDb db, RoutingState state, LeaseRule leases, java.util.function.LongSupplier clockMs) {
    this.db = requireNonNull(db, "db");
    this.state = requireNonNull(state, "state");
    this.leases = new LeaseBook(requireNonNull(leases, "leases"));
    this.clockMs = requireNonNull(clockMs, "clockMs");
    this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread t = new Thread(r, "routing-reloader");
      t.setDaemon(true);
      return t;
    });
  }

  /**
   * Runs {@code hook} before every load that follows a change (on the reloader's thread); used to
   * version local changes when replication is off, so change capture never piles up.
   */
  public synchronized RoutingReloader beforeEachLoad(Runnable hook) {
    this.beforeLoad = requireNonNull(hook, "hook");
    return this;
  }

  /**
   * Starts polling every {@code interval}, and applying lease expiries as their time comes; the
   * first load should already have happened.
   */
  public RoutingReloader start(Duration interval) {
    long millis = interval.toMillis();
    timer.scheduleWithFixedDelay(this::reloadIfChanged, millis, millis, TimeUnit.MILLISECONDS);
    timer.scheduleWithFixedDelay(this::applyDueLeases, LEASE_TICK_MILLIS, LEASE_TICK_MILLIS, TimeUnit.MILLISECONDS);
    return this;
  }

  /**
   * Whether everything this process writes to routing.db reaches the snapshot by {@link
   * #applyChanges}, {@link #refreshBackends} or {@link #reloadNow} (true while replication runs: it
   * reports every capture, merge, copy and compaction). Then the periodic check re-reads the file
   * only after another process's commit (the CLI, {@code sqlite3}); otherwise after any commit.
   * Without this, replication's own bookkeeping (the last sync, members, holds: a commit a second)
   * made every POP of a cluster re-read all of routing.db every interval, idle or not.
   */
  public synchronized void writesReported(boolean reported) {
    if (reported != writesReported) {
      reloadIfChanged(); // what was committed before the switch is not lost to it
      writesReported = reported;
      try {
        lastStamp = stamp(); // from here on, changes are measured against this stamp
      } catch (RuntimeException e) {
        reportFailure(e);
      }
    }
  }

  private long stamp() {
    return writesReported ? db.foreignChangeStamp() : db.changeStamp();
  }

  /** Re-derives the backends whose lease changed state since the last look (expired, or gone). */
  public synchronized RoutingSnapshot applyDueLeases() {
    java.util.Set<String> due = leases.dueUpTo(clockMs.getAsLong());
    if (due.isEmpty()) {
      return state.current();
    }
    try {
      return refreshBackends(due);
    } catch (RuntimeException e) {
      reportFailure(e);
      return state.current();
    }
  }

  /** Reloads if anyone committed since the last load. Returns the snapshot in force. */
  public synchronized RoutingSnapshot reloadIfChanged() {
    try {
      long stamp = stamp();
      if (stamp != lastStamp) {
        lastStamp = stamp;
        return load();
      }
    } catch (RuntimeException e) {
      reportFailure(e);
    }
    return state.current();
  }

  /**
   * The first load at start-up: like {@link #reloadNow()}, but a failure is thrown (naming the file
   * and the cause) instead of leaving the empty initial snapshot in force.
   */
  public synchronized RoutingSnapshot loadFirst() {
    lastStamp = stamp();
    return load();
  }

  /** Reloads unconditionally; used after the appliance's own writes so they apply at once. */
  public synchronized RoutingSnapshot reloadNow() {
    try {
      lastStamp = stamp();
      return load();
    } catch (RuntimeException e) {
      reportFailure(e);
      return state.current();
    }
  }

  /**
   * Applies rows that replication just wrote to routing.db without re-reading the whole table:
   * changed backends and leases are re-read by id and validated exactly as a load would. A change
   * to another routing table (apps, regions, health checks) falls back to a full reload; tokens
   * are not part of the snapshot. The periodic check still re-reads the file after other writers'
   * commits, so this never hides one.
   */
  public synchronized RoutingSnapshot applyChanges(java.util.Collection<RowKey> changed) {
    java.util.Set<String> ids = new java.util.LinkedHashSet<>();
    for (RowKey row : changed) {
      switch (row.table()) {
        case Tables.BACKENDS, Tables.REGISTRATIONS -> ids.add(row.key());
        case Tables.API_TOKENS -> { }
        default -> {
          return reloadNow();
        }
      }
    }
    return ids.isEmpty() ? state.current() : refreshBackends(ids);
  }

  /**
   * Re-reads the backends rows {@code ids} (this node just wrote them) and applies them to the
   * current snapshot without re-reading the rest: a write through the discovery API routes at once.
   */
  public synchronized RoutingSnapshot refreshBackends(java.util.Collection<String> ids) {
    var rows = LeasedRow.read(db, ids);
    rows.forEach((id, row) -> leases.put(id, row.expiresMs()));
    return replaceBackends(rows);
  }

  /** Replaces the given backends (a null row: gone) in the current data, validated as a load would. */
  private RoutingSnapshot replaceBackends(java.util.Map<String, LeasedRow> rows) {
    long now = clockMs.getAsLong();
    RoutingSnapshot current = state.current();
    var data = current.data();
    java.util.Map<String, @Nullable Backend> changes = new java.util.LinkedHashMap<>();
    List<String> problems = new java.util.ArrayList<>();
    boolean onlyNewIds = true;
    for (var entry : rows.entrySet()) {
      String id = entry.getKey();
      BackendRow row = entry.getValue().row();
      Backend after = null;
      if (row != null) {
        switch (RowValidator.validate(row, data.regions())) {
          case RowValidator.Result.Valid v -> after = RoutingReader.underLease(v.backend(), leases.stateOf(id, now));
          case RowValidator.Result.Deleted d -> { }
          case RowValidator.Result.Invalid invalid ->
              problems.add("backends row id '" + id + "' skipped: " + String.join("; ", invalid.problems()));
        }
      }
      Backend before = current.backend(id);
      if (!java.util.Objects.equals(before, after)) {
        changes.put(id, after);
        onlyNewIds &= before == null;
      }
    }
    problems.forEach(p -> logger.warn("routing.db: {}", p));
    if (changes.isEmpty()) {
      return current; // already in force (e.g. the API refreshed these rows before replication saw them)
    }
    List<Backend> backends = new java.util.ArrayList<>(data.backends().size() + changes.size());
    if (onlyNewIds) { // a registration storm: nothing to take out, so no lookup per existing row
      backends.addAll(data.backends());
    } else {
      for (Backend b : data.backends()) {
        if (!changes.containsKey(b.id())) {
          backends.add(b);
        }
      }
    }
    for (Backend b : changes.values()) {
      if (b != null) {
        backends.add(b);
      }
    }
    return state.publishChanges(data.withBackends(backends), changes);
  }


  private RoutingSnapshot load() {
    beforeLoad.run();
    LoadResult result = db.load(leases.rule(), clockMs.getAsLong());
    leases.replaceAll(result.leases());
    warnAboutNewProblems(result.problems());
    RoutingSnapshot snapshot = state.publish(result.data());
    if (failing) {
      failing = false;
      logger.info("routing.db at {} readable again", db.path());
    }
    logger.info("routing snapshot v{}: {} backends, {} apps, {} rows skipped",
        snapshot.version(), snapshot.backends().size(), snapshot.appNames().size(), result.problems().size());
    return snapshot;
  }

  private void warnAboutNewProblems(List<String> problems) {
    Set<String> current = new HashSet<>(problems);
    for (String problem : problems) {
      if (!warned.contains(problem)) {
        logger.warn("routing.db: {}", problem);
      }
    }
    warned = current;
  }

  private void reportFailure(RuntimeException e) {
    if (!failing) {
      failing = true;
      logger.warn("{}; keeping routing snapshot v{}", e.getMessage(), state.current().version());
    } else {
      logger.debug("routing.db still unreadable: {}", e.getMessage());
    }
    lastStamp = Long.MIN_VALUE; // retry the load on the next tick
  }

  @Override
  public void close() {
    timer.shutdownNow();
    try {
      timer.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}
