package io.edgeproxy.core.routing;

/** The outcome of one selection: a backend, or why there is none. */
public sealed interface Selection {

  /**
   * The best candidate; no slot is reserved yet.
   *
   * @param tier 0 same country as the client, 1 same region as the client, 2 this POP's region, 3 elsewhere
   * @param score tier * 100 + (active / soft_limit) / weight; lower is better
   */
  record Picked(Candidate candidate, int tier, double score) implements Selection {}

  /** The app has no backend that accepts new clients (none, all unhealthy, deleted or drained). */
  record NoHealthyBackend(String app) implements Selection {}

  /** Healthy backends exist, but every one is full, ejected after connect failures, or already tried. */
  record AllAtCapacity(String app, int healthy) implements Selection {}

  /** Why the app's clients get no backend, as a person is told (a pick: which one). */
  default String why() {
    return switch (this) {
      case AllAtCapacity full -> "all " + full.healthy() + " healthy backends of app " + full.app() + " are at their limit";
      case NoHealthyBackend none -> "app " + none.app() + " has no healthy backend";
      case Picked p -> "backend " + p.candidate().backend().id() + " was picked";
    };
  }
}
