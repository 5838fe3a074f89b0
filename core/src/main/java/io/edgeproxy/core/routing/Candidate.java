package io.edgeproxy.core.routing;

import static java.util.Objects.requireNonNull;

/**
 * A backend as selection sees it: the immutable row plus its live {@link BackendLoad}, resolved
 * once when the snapshot is built. Identity is the backend id.
 */
public final class Candidate {
  private final Backend backend;
  private final BackendLoad load;
  private final long idHash;
  private final double softLimit;

  Candidate(Backend backend, BackendLoad load) {
    this.backend = requireNonNull(backend, "backend");
    this.load = requireNonNull(load, "load");
    this.idHash = Hashing.mix64(backend.id().hashCode() * 0x9E3779B97F4A7C15L + backend.id().length());
    this.softLimit = backend.softLimit() == 0 ? 1.0 : backend.softLimit();
  }

  public Backend backend() {
    return backend;
  }

  public BackendLoad load() {
    return load;
  }

  public String id() {
    return backend.id();
  }

  long idHash() {
    return idHash;
  }

  /** The load part of the score: (active / soft_limit) / weight; weight is > 0 for candidates in sets. */
  double loadScore() {
    return (load.active() / softLimit) / backend.weight();
  }

  @Override
  public String toString() {
    return backend.id();
  }
}
