package io.edgeproxy.sql;

import java.util.Collection;
import org.jspecify.annotations.Nullable;

/**
 * routing.db's {@code tunnels} table as the POP holding tunnels writes it: a row when a tunnel
 * comes up, its lease renewed while it stays up, the row deleted when it closes, and rows whose
 * lease ran out long ago (their POP died or was cut off for good) removed by any POP. Every write
 * goes through change capture, so it replicates.
 */
public final class TunnelRows {
  /** One row to write. */
  public record Row(String id, String app, String agent, String pop, String remoteIp, int remotePort, String region,
      @Nullable String country, long sinceMs, long expiresMs) {}

  private final RoutingDb db;

  public TunnelRows(RoutingDb db) {
    this.db = db;
  }

  /** Writes the row of a tunnel that is up, or renews its lease (the same row with a later {@code expiresMs}). */
  public void connected(Row r) {
    db.write("INSERT INTO tunnels (id, app, agent, pop, remote_ip, remote_port, region, country, since_ms, expires_ms)"
        + " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET app = excluded.app, agent = excluded.agent,"
        + " pop = excluded.pop, remote_ip = excluded.remote_ip, remote_port = excluded.remote_port, region = excluded.region,"
        + " country = excluded.country, since_ms = excluded.since_ms, expires_ms = excluded.expires_ms", r.id(), r.app(), r.agent(), r.pop(), r.remoteIp(), r.remotePort(), r.region(),
        r.country(), r.sinceMs(), r.expiresMs());
  }

  /**
   * Moves the lease of the tunnels {@code pop} holds, {@code ids}, to {@code expiresMs}, in one
   * statement; returns the rows renewed (fewer than {@code ids} when a row went missing).
   */
  public int renew(String pop, Collection<String> ids, long expiresMs) {
    if (ids.isEmpty()) {
      return 0;
    }
    Object[] params = new Object[ids.size() + 2];
    params[0] = expiresMs;
    params[1] = pop;
    int i = 2;
    for (String id : ids) {
      params[i++] = id;
    }
    return db.write("UPDATE tunnels SET expires_ms = ? WHERE pop = ? AND id IN (" + marks(ids.size()) + ")", params);
  }

  public void disconnected(String id) {
    db.write("DELETE FROM tunnels WHERE id = ?", id);
  }

  /**
   * Removes rows {@code pop} wrote that it no longer holds (a restart of this POP: its tunnels died
   * with the old process), and every row whose lease ended before {@code expiredBeforeMs}.
   *
   * @return the rows removed
   */
  public int sweep(String pop, Collection<String> held, long expiredBeforeMs) {
    return forgetExpired(expiredBeforeMs) + forgetNotHeld(pop, held);
  }

  /** Removes every row whose lease ended before {@code expiredBeforeMs}; returns how many. */
  public int forgetExpired(long expiredBeforeMs) {
    return db.write("DELETE FROM tunnels WHERE expires_ms < ?", expiredBeforeMs);
  }

  /** Removes rows {@code pop} wrote that it no longer holds; returns how many. */
  private int forgetNotHeld(String pop, Collection<String> held) {
    String notHeld = held.isEmpty() ? "" : " AND id NOT IN (" + marks(held.size()) + ")";
    Object[] params = new Object[held.size() + 1];
    params[0] = pop;
    int i = 1;
    for (String id : held) {
      params[i++] = id;
    }
    return db.write("DELETE FROM tunnels WHERE pop = ?" + notHeld, params);
  }

  private static String marks(int n) {
    return String.join(",", java.util.Collections.nCopies(n, "?"));
  }
}
