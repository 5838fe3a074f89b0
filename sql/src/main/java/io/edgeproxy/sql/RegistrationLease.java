package io.edgeproxy.sql;

/**
 * The lease of a registration (routing.db table {@code registrations}), as replicated.
 *
 * @param expiresMs wall-clock ms up to which the lease holds (see {@link LeaseRule} for what follows)
 * @param acceptedBy the POP that took the last registration or renewal
 * @param metadataJson the metadata registered with it, a JSON object
 */
public record RegistrationLease(String id, String app, long ttlMs, long expiresMs, String acceptedBy,
    long registeredMs, String metadataJson) {
  /** True when the lease has run out at {@code nowMs}. */
  public boolean expiredAt(long nowMs) {
    return nowMs > expiresMs;
  }
}
