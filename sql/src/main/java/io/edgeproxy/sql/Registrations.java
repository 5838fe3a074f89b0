package io.edgeproxy.sql;

import static java.util.Objects.requireNonNull;

import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Registrations of the discovery API, kept in routing.db so that they route at once on this POP
 * and replicate to every other: a registration is the backend's row in {@code backends} plus its
 * lease in {@code registrations}, written in one transaction through the same writer (and change
 * capture) as every other change.
 *
 * <p>Leases: a heartbeat renews the lease, but writes (and so replicates) the new expiry only when
 * less than three quarters of the TTL is left; a backend that stops heartbeating therefore expires
 * between 0.75 and 1 TTL after its last heartbeat, and a heartbeat every TTL/2 (as Consul advises)
 * keeps it alive with one replicated write per TTL/4 at most. Nothing here writes an expiry: every
 * POP derives it from {@code expires_ms} (merged by max, see {@link LeaseRule}), so the outcome does
 * not depend on which POP noticed first. A deregistration is a delete: final.
 */
public final class Registrations {
  private final RoutingDb db;

  public Registrations(RoutingDb db) {
    this.db = requireNonNull(db, "db");
  }

  /** Upserts the backend (healthy, not deleted) and a fresh lease. Idempotent in effect. */
  public void register(Registration r, long nowMs, Duration ttl, String acceptedBy) {
    registerAll(java.util.List.of(r), nowMs, ttl, acceptedBy);
  }

  /**
   * Registers several backends in one transaction (one commit, one change-capture pass): the API
   * batches concurrent registrations this way. All or none are written.
   */
  public void registerAll(java.util.List<Registration> all, long nowMs, Duration ttl, String acceptedBy) {
    db.transact(st -> {
      for (Registration r : all) {
        st.update(UPSERT_BACKEND, r.id(), r.app(), r.region(), r.country(), r.ip().getHostAddress(), r.port(), r.weight(),
            r.softLimit(), r.hardLimit());
        st.update(UPSERT_LEASE, r.id(), r.app(), ttl.toMillis(), nowMs + ttl.toMillis(), acceptedBy, nowMs, r.metadataJson());
      }
      return null;
    });
  }

  private static final String UPSERT_BACKEND =
      "INSERT INTO backends (id, app, region, country, wg_ip, port, healthy, weight, soft_limit, hard_limit, deleted)"
          + " VALUES (?, ?, ?, ?, ?, ?, 1, ?, ?, ?, 0)"
          + " ON CONFLICT(id) DO UPDATE SET app = excluded.app, region = excluded.region, country = excluded.country,"
          + " wg_ip = excluded.wg_ip, port = excluded.port, healthy = 1, weight = excluded.weight,"
          + " soft_limit = excluded.soft_limit, hard_limit = excluded.hard_limit, deleted = 0";

  private static final String UPSERT_LEASE =
      "INSERT INTO registrations (id, app, ttl_ms, expires_ms, expired, accepted_by, registered_ms, metadata)"
          + " VALUES (?, ?, ?, ?, 0, ?, ?, ?)"
          + " ON CONFLICT(id) DO UPDATE SET app = excluded.app, ttl_ms = excluded.ttl_ms,"
          + " expires_ms = max(coalesce(expires_ms, 0), excluded.expires_ms), accepted_by = excluded.accepted_by,"
          + " registered_ms = excluded.registered_ms, metadata = excluded.metadata";

  /**
   * Whether a heartbeat for {@code id} would write: the lease's app, and true when it has less
   * than three quarters of {@code ttl} left or expired. Empty when there is no such lease. A short
   * read, no transaction: most heartbeats stop here.
   */
  public Optional<java.util.Map.Entry<String, Boolean>> renewalDue(String id, long nowMs, Duration ttl) {
    return db.latest(st -> {
      PreparedStatement lease = st.prepare("SELECT app, expires_ms FROM registrations WHERE id = ?");
      lease.setString(1, id);
      try (ResultSet rs = lease.executeQuery()) {
        if (!rs.next()) {
          return Optional.empty();
        }
        boolean due = rs.getLong(2) - nowMs <= ttl.toMillis() * 3 / 4;
        return Optional.of(java.util.Map.entry(String.valueOf(rs.getString(1)), due));
      }
    });
  }

  /** What a heartbeat did. */
  public enum Renewal {
    /** The lease was extended in routing.db (and so on every POP). */
    WRITTEN,
    /** The lease has more than three quarters of its TTL left: nothing written. */
    STILL_FRESH,
    /** No registration has this id. */
    UNKNOWN
  }

  /**
   * Renews the lease of {@code id}: moves its end forward (never back). That alone brings back a
   * backend whose lease had expired, on every POP, however long ago (until the lease is forgotten
   * or the backend deregistered).
   */
  public Renewal heartbeat(String id, long nowMs, Duration ttl, String acceptedBy) {
    return db.transact(st -> {
      long expires;
      PreparedStatement lease = st.prepare("SELECT expires_ms FROM registrations WHERE id = ?");
      lease.setString(1, id);
      try (ResultSet rs = lease.executeQuery()) {
        if (!rs.next()) {
          return Renewal.UNKNOWN;
        }
        expires = rs.getLong(1);
      }
      long ttlMs = ttl.toMillis();
      if (expires - nowMs > ttlMs * 3 / 4) {
        return Renewal.STILL_FRESH;
      }
      st.update("UPDATE registrations SET expires_ms = max(coalesce(expires_ms, 0), ?), ttl_ms = ?, accepted_by = ? WHERE id = ?",
          nowMs + ttlMs, ttlMs, acceptedBy, id);
      return Renewal.WRITTEN;
    });
  }

  /** Deletes the backend and its lease (replicated as tombstones). False if neither existed. */
  public boolean deregister(String id) {
    return db.transact(st -> st.update("DELETE FROM backends WHERE id = ?", id)
        + st.update("DELETE FROM registrations WHERE id = ?", id) > 0);
  }

  /** The app of backend {@code id} in routing.db (registered or not), if there is such a row. */
  public Optional<String> appOf(String id) {
    return db.readLatest(c -> {
      try (PreparedStatement st = c.prepareStatement("SELECT app FROM backends WHERE id = ?")) {
        st.setString(1, id);
        try (ResultSet rs = st.executeQuery()) {
          return rs.next() ? Optional.ofNullable(rs.getString(1)) : Optional.empty();
        }
      }
    });
  }

  public Optional<RegistrationLease> find(String id) {
    return db.read(c -> {
      try (PreparedStatement st = c.prepareStatement(SELECT_LEASE + " WHERE id = ?")) {
        st.setString(1, id);
        try (ResultSet rs = st.executeQuery()) {
          return rs.next() ? Optional.of(lease(rs)) : Optional.empty();
        }
      }
    });
  }

  /** Number of registrations (leases). */
  public int count() {
    return db.read(c -> {
      try (PreparedStatement st = c.prepareStatement("SELECT count(*) FROM registrations"); ResultSet rs = st.executeQuery()) {
        return rs.getInt(1);
      }
    });
  }

  /** Every lease, by backend id. */
  public Map<String, RegistrationLease> all() {
    return db.read(c -> {
      Map<String, RegistrationLease> out = new LinkedHashMap<>();
      try (PreparedStatement st = c.prepareStatement(SELECT_LEASE + " ORDER BY id"); ResultSet rs = st.executeQuery()) {
        while (rs.next()) {
          RegistrationLease lease = lease(rs);
          out.put(lease.id(), lease);
        }
      }
      return out;
    });
  }

  private static final String SELECT_LEASE =
      "SELECT id, app, ttl_ms, expires_ms, accepted_by, registered_ms, metadata FROM registrations";

  private static RegistrationLease lease(ResultSet rs) throws SQLException {
    String metadata = rs.getString(7);
    return new RegistrationLease(rs.getString(1), String.valueOf(rs.getString(2)), rs.getLong(3), rs.getLong(4),
        String.valueOf(rs.getString(5)), rs.getLong(6), metadata == null ? "{}" : metadata);
  }
}
