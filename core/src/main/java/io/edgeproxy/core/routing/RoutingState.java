package io.edgeproxy.core.routing;

import static java.util.Objects.requireNonNull;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * The current {@link RoutingSnapshot} of this POP. Readers call {@link #current()} (a volatile
 * read) on every decision; writers publish new {@link RoutingData}, which is indexed into a
 * snapshot with the next version and swapped in atomically.
 *
 * <p>{@link #publish} is called by one loader thread at a time (it is synchronized); listeners run
 * on that thread after the swap and must not block.
 */
public final class RoutingState {
  private final String popRegion;
  private final LoadBoard loads;
  private final AtomicReference<RoutingSnapshot> current;
  private final List<Consumer<RoutingSnapshot>> listeners = new CopyOnWriteArrayList<>();

  public RoutingState(String popRegion, LoadBoard loads) {
    this.popRegion = requireNonNull(popRegion, "popRegion");
    this.loads = requireNonNull(loads, "loads");
    this.current = new AtomicReference<>(RoutingSnapshot.empty(popRegion));
  }

  /** The snapshot in force. Never null; version 0 until the first publish. */
  public RoutingSnapshot current() {
    return current.get();
  }

  /** Builds and swaps in a snapshot of {@code data}; returns it. */
  public synchronized RoutingSnapshot publish(RoutingData data) {
    RoutingSnapshot next = RoutingSnapshot.build(current.get().version() + 1, data, popRegion, loads);
    current.set(next);
    for (Consumer<RoutingSnapshot> listener : listeners) {
      listener.accept(next);
    }
    return next;
  }

  /**
   * Swaps in the current snapshot with {@code changes} applied (id to its new backend, or null when
   * gone); {@code data} is the whole new data. Cheaper than {@link #publish} for a few backends:
   * only their apps are indexed again.
   */
  public synchronized RoutingSnapshot publishChanges(RoutingData data, java.util.Map<String, @org.jspecify.annotations.Nullable Backend> changes) {
    RoutingSnapshot previous = current.get();
    RoutingSnapshot next = previous.withChanges(previous.version() + 1, data, changes, loads);
    current.set(next);
    for (Consumer<RoutingSnapshot> listener : listeners) {
      listener.accept(next);
    }
    return next;
  }

  public void onPublish(Consumer<RoutingSnapshot> listener) {
    listeners.add(requireNonNull(listener, "listener"));
  }

  public String popRegion() {
    return popRegion;
  }

  public LoadBoard loads() {
    return loads;
  }
}
