package io.edgeproxy.core.routing;

import org.jspecify.annotations.Nullable;

/** The outcome of one selection: a backend, or why there is none. */
public sealed interface Selection {

  /**
   * A backend full on this POP that would have been picked otherwise (scored better than the pick,
   * or there was none): demand this POP could not meet, which its share of the limit grows with
   * (see {@link LimitSharing}); null if there was none.
   */
  default @Nullable Candidate passedOver() {
    return null;
  }

  /**
   * The best candidate; no slot is reserved yet.
   *
   * @param tier 0 same country as the client, 1 same region as the client, 2 this POP's region, 3 elsewhere
   * @param score tier * 100 + (active / soft_limit) / weight; lower is better
   */
  record Picked(Candidate candidate, int tier, double score, @Nullable Candidate passedOver) implements Selection {}

  /** The app has no backend that accepts new clients (none, all unhealthy, deleted or drained). */
  record NoHealthyBackend(String app) implements Selection {}

  /** Healthy backends exist, but every one is full, ejected after connect failures, or already tried. */
  record AllAtCapacity(String app, int healthy, @Nullable Candidate passedOver) implements Selection {
    public AllAtCapacity(String app, int healthy) {
      this(app, healthy, null);
    }
  }

  /** Why the app's clients get no backend, as a person is told (a pick: which one). */
  default String why() {
    return switch (this) {
      case AllAtCapacity full -> "all " + full.healthy() + " healthy backends of app " + full.app() + " are at their limit";
      case NoHealthyBackend none -> "app " + none.app() + " has no healthy backend";
      case Picked p -> "backend " + p.candidate().backend().id() + " was picked";
    };
  }
}
