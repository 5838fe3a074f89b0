package io.edgeproxy.sql;

/**
 * The lease of a registration (routing.db table {@code registrations}), as replicated.
 *
 * @param expiresMs wall-clock ms after which the backend is marked unhealthy
 * @param expired the lease ran out and the backend was marked unhealthy for it
 * @param acceptedBy the POP that took the last registration or renewal
 * @param metadataJson the metadata registered with it, a JSON object
 */
public record RegistrationLease(String id, String app, long ttlMs, long expiresMs, boolean expired, String acceptedBy,
    long registeredMs, String metadataJson) {}
