package io.edgeproxy.tools;

import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What a node started, closed in reverse order. Some are kept through a hand-off to a new agent
 * ({@link #closeAllButKept()}): what the connections still open need until the drain ends.
 */
final class NodeResources {
  private static final Logger logger = LoggerFactory.getLogger(NodeResources.class);

  private final List<AutoCloseable> all = new ArrayList<>();
  private final Set<AutoCloseable> kept = Collections.newSetFromMap(new IdentityHashMap<>());

  /** Closed by {@link #closeAll()} and by {@link #closeAllButKept()}; null (a part that is off): nothing. */
  synchronized <T extends AutoCloseable> @Nullable T add(@Nullable T resource) {
    if (resource != null) {
      all.add(resource);
    }
    return resource;
  }

  /** Closed by {@link #closeAll()} only; null: nothing. */
  synchronized <T extends AutoCloseable> @Nullable T keep(@Nullable T resource) {
    if (resource != null) {
      kept.add(resource);
    }
    return add(resource);
  }

  /** As {@link #add}, closed after everything else. */
  synchronized <T extends AutoCloseable> T addFirst(T resource) {
    all.addFirst(resource);
    return resource;
  }

  /** Closes, in reverse order, what is not kept. */
  synchronized void closeAllButKept() {
    for (int i = all.size() - 1; i >= 0; i--) {
      AutoCloseable r = all.get(i);
      if (!kept.contains(r)) {
        closeQuietly(r);
        all.remove(i);
      }
    }
  }

  /** Closes everything, in reverse order. Idempotent. */
  synchronized void closeAll() {
    for (int i = all.size() - 1; i >= 0; i--) {
      closeQuietly(all.get(i));
    }
    all.clear();
    kept.clear();
  }

  private static void closeQuietly(AutoCloseable resource) {
    try {
      resource.close();
    } catch (Exception e) {
      logger.warn("failed to close {}: {}", resource, e.toString());
    }
  }
}
