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
 * {@code interval} and reloads only when it moved (an unchanged database is never re-read), and
 * reloads at once when the appliance itself wrote ({@link #reloadNow()}).
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
  private boolean failing;
  private Runnable beforeLoad = () -> { };

  public RoutingReloader(RoutingDb db, RoutingState state) {
    this.db = requireNonNull(db, "db");
    this.state = requireNonNull(state, "state");
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

  /** Starts polling every {@code interval}; the first load should already have happened. */
  public RoutingReloader start(Duration interval) {
    long millis = interval.toMillis();
    timer.scheduleWithFixedDelay(this::reloadIfChanged, millis, millis, TimeUnit.MILLISECONDS);
    return this;
  }

  /** Reloads if anyone committed since the last load. Returns the snapshot in force. */
  public synchronized RoutingSnapshot reloadIfChanged() {
    try {
      long stamp = db.changeStamp();
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
    lastStamp = db.changeStamp();
    return load();
  }

  /** Reloads unconditionally; used after the appliance's own writes so they apply at once. */
  public synchronized RoutingSnapshot reloadNow() {
    try {
      lastStamp = db.changeStamp();
      return load();
    } catch (RuntimeException e) {
      reportFailure(e);
      return state.current();
    }
  }

  /**
   * Applies rows that replication just wrote to routing.db without re-reading the whole table:
   * changed backends are validated exactly as a load would and replaced in the current data. A
   * change to another routing table (apps, regions, health checks) falls back to a full reload;
   * registrations and tokens are not part of the snapshot and need neither. The periodic check
   * still re-reads the file after other writers' commits, so this never hides one.
   */
  public synchronized RoutingSnapshot applyChanges(List<io.edgeproxy.core.change.RowChange> changes) {
    changes = changes.stream()
        .filter(c -> ReplicatedTable.named(c.table()).map(ReplicatedTable::feedsRouting).orElse(true)).toList();
    if (changes.isEmpty()) {
      return state.current(); // registrations or tokens only: nothing the snapshot holds
    }
    for (var change : changes) {
      if (!change.table().equals(ReplicatedTable.BACKENDS.table())) {
        return reloadNow();
      }
    }
    java.util.Map<String, @Nullable BackendRow> rows = new java.util.LinkedHashMap<>();
    for (var change : changes) {
      var c = change.columns();
      rows.put(change.key(), change.deleted() ? null : new BackendRow(0, change.key(), c.get("app"), c.get("region"),
          c.get("country"), c.get("wg_ip"), c.get("port"), c.get("healthy"), c.get("weight"), c.get("soft_limit"),
          c.get("hard_limit"), c.get("deleted")));
    }
    return replaceBackends(rows, "replicated");
  }

  /**
   * Re-reads the backends rows {@code ids} (this node just wrote them) and applies them to the
   * current snapshot without re-reading the rest: a write through the discovery API routes at once.
   */
  public synchronized RoutingSnapshot refreshBackends(java.util.Collection<String> ids) {
    return replaceBackends(db.backendRows(ids), "written");
  }

  /** Replaces the given backends (null: gone) in the current data, validated as a load would. */
  private RoutingSnapshot replaceBackends(java.util.Map<String, @Nullable BackendRow> rows, String how) {
    RoutingSnapshot current = state.current();
    var data = current.data();
    java.util.Map<String, @Nullable Backend> changes = new java.util.LinkedHashMap<>();
    List<String> problems = new java.util.ArrayList<>();
    boolean onlyNewIds = true;
    for (var entry : rows.entrySet()) {
      String id = entry.getKey();
      BackendRow row = entry.getValue();
      Backend after = null;
      if (row != null) {
        switch (RowValidator.validate(row, data.regions())) {
          case RowValidator.Result.Valid v -> after = v.backend();
          case RowValidator.Result.Deleted d -> { }
          case RowValidator.Result.Invalid invalid ->
              problems.add("backends row id '" + id + "' (" + how + ") skipped: " + String.join("; ", invalid.problems()));
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
    return state.publishChanges(new io.edgeproxy.core.routing.RoutingData(backends, data.regions(), data.apps()), changes);
  }


  private RoutingSnapshot load() {
    beforeLoad.run();
    LoadResult result = db.load();
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
