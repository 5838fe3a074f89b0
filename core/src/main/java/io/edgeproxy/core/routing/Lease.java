package io.edgeproxy.core.routing;

import java.util.concurrent.atomic.AtomicBoolean;

/** A reserved connection slot on one backend; {@link #release()} gives it back, once. */
public final class Lease {
  private final BackendLoad load;
  private final AtomicBoolean released = new AtomicBoolean();

  Lease(BackendLoad load) {
    this.load = load;
  }

  /** Gives the slot back. Idempotent and thread-safe. */
  public void release() {
    if (released.compareAndSet(false, true)) {
      load.release();
    }
  }

  public boolean isReleased() {
    return released.get();
  }
}
