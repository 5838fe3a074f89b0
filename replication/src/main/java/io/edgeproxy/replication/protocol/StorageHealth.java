package io.edgeproxy.replication.protocol;

import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Whether routing.db took the node's last write: a failure (a full disk) is counted, warned about
 * once a minute and shown in status until a write goes through again. The node's thread only.
 */
final class StorageHealth {
  private static final Logger logger = LoggerFactory.getLogger(StorageHealth.class);

  private final String self;
  private final ReplicaCounters counters;
  private final WarnOncePerMinute warnings;
  private @Nullable String error;

  StorageHealth(String self, ReplicaCounters counters, WarnOncePerMinute warnings) {
    this.self = self;
    this.counters = counters;
    this.warnings = warnings;
  }

  void failed(String what, RuntimeException e) {
    error = "cannot " + what + ": " + e.getMessage();
    counters.storageFailure();
    warnings.warn("storage:" + what, error);
  }

  /** A write went through (a look that found nothing to write proves nothing: not called then). */
  void ok() {
    if (error != null) {
      logger.info("{}: routing.db writable again (was: {})", self, error);
      error = null;
    }
  }

  @Nullable String error() {
    return error;
  }
}
