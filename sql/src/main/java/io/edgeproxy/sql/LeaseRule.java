package io.edgeproxy.sql;

import java.time.Duration;

/**
 * How a registration's lease decides its backend's fate, derived on every POP alike from the
 * replicated {@code registrations.expires_ms} (merged by max, so no POP can move it back) and this
 * POP's clock, never written back: up to {@code expires_ms} the backend routes; then, for
 * {@code deregisterAfter}, it is listed but unhealthy; after that it is out of routing and listings.
 * A heartbeat that moves {@code expires_ms} forward undoes either, on every POP.
 *
 * @param deregisterAfter how long an expired backend stays listed (unhealthy) before it is left out
 */
public record LeaseRule(Duration deregisterAfter) {
  /** What a lease means for its backend at one moment. */
  public enum State {
    /** Heartbeats are current: routed as its row says. */
    ALIVE,
    /** The TTL ran out: listed, never routed to. */
    EXPIRED,
    /** Expired for longer than deregister-after: left out as if deregistered (a heartbeat brings it back). */
    GONE
  }

  public static LeaseRule defaults() {
    return new LeaseRule(Duration.ofSeconds(600));
  }

  public State stateAt(long expiresMs, long nowMs) {
    if (nowMs <= expiresMs) {
      return State.ALIVE;
    }
    return nowMs - expiresMs <= deregisterAfter.toMillis() ? State.EXPIRED : State.GONE;
  }

  /** The instants at which a lease ending at {@code expiresMs} changes state. */
  long[] boundaries(long expiresMs) {
    return new long[] {expiresMs + 1, expiresMs + deregisterAfter.toMillis() + 1};
  }
}
