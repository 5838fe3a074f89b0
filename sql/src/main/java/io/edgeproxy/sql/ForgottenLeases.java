package io.edgeproxy.sql;

import io.edgeproxy.core.change.Cell;
import io.edgeproxy.core.change.HybridClock;
import io.edgeproxy.core.change.RowChange;
import io.edgeproxy.core.change.Version;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jspecify.annotations.Nullable;

/**
 * The registrations this POP forgot ({@code __edge_forgotten_leases}, local, not replicated), and
 * what they decide when another POP's state of a row absent here arrives. Every POP forgets a
 * registration on its own schedule, so for a while some still hold it and anti-entropy offers it
 * back to those that have forgotten it; stored again, it went round the cluster for good. So:
 *
 * <ul>
 *   <li>a registration's state is refused when it is the life this POP forgot (or an older one)
 *       with a lease end no later than the one forgotten: nothing a heartbeat did since. A later
 *       lease end (a heartbeat through a POP that had not forgotten it) is taken and the memory
 *       dropped; a later life (a new registration, a deregistration) is taken;
 *   <li>a backend's state is refused when its life began no later than the forgotten
 *       registration's (the backend row the registration owned), while no registration is held
 *       here, or while one is but nothing was written to the row after the forgotten lease ended.
 *       A backend row created after the registration is not the registration's, and is kept (so
 *       is forgetting, see {@link ReplicaStore#forgetExpiredLeases}).
 * </ul>
 *
 * One per merging transaction: whether anything is remembered at all is read once.
 */
final class ForgottenLeases {
  /** A forgotten registration: the life it had (causal length, the version that began it) and its lease end. */
  record Lease(long cl, Version life, long expiresMs) {}

  private final Statements st;
  private @Nullable Boolean any;

  ForgottenLeases(Statements st) {
    this.st = st;
  }

  /** True when {@code in}, a row with no versions here, is one this POP forgot: not to be stored again. */
  boolean refuses(RowChange in, Clocks clocks) throws SQLException {
    boolean lease = in.table().equals(Tables.REGISTRATIONS);
    if (!(lease || in.table().equals(Tables.BACKENDS)) || !remembersAny()) {
      return false;
    }
    Lease forgotten = recall(in.key());
    if (forgotten == null) {
      return false;
    }
    if (lease) {
      if (in.cl() < forgotten.cl() || (in.cl() == forgotten.cl() && expiresOf(in) <= forgotten.expiresMs())) {
        return true; // an older life, or the one forgotten with nothing a heartbeat did since
      }
      if (in.cl() == forgotten.cl()) { // heartbeated since: it is back, and so is its backend
        st.update("DELETE FROM __edge_forgotten_leases WHERE id = ?", in.key());
      }
      return false; // (or a new life: taken; the old life's backend stays forgotten, below)
    }
    if (!in.exists() || in.version().isNewerThan(forgotten.life())) {
      return false; // a delete, or a backend row begun after the registration: not its
    }
    // The forgotten registration's backend row: refused, unless a registration is held here again
    // and the row was written since that lease ended (its upsert, an operator). A registration
    // written again by hand does not bring back the old row as some POP last had it (seed 90).
    return clocks.read(Tables.REGISTRATIONS, in.key()) == null || HybridClock.millisOf(in.newest().hlc()) <= forgotten.expiresMs();
  }

  private boolean remembersAny() throws SQLException {
    if (any == null) {
      try (ResultSet rs = st.prepare("SELECT EXISTS (SELECT 1 FROM __edge_forgotten_leases)").executeQuery()) {
        any = rs.next() && rs.getBoolean(1);
      }
    }
    return any;
  }

  private @Nullable Lease recall(String id) throws SQLException {
    PreparedStatement select = st.prepare("SELECT cl, hlc, node, expires_ms FROM __edge_forgotten_leases WHERE id = ?");
    select.setString(1, id);
    try (ResultSet rs = select.executeQuery()) {
      return rs.next() ? new Lease(rs.getLong(1), new Version(rs.getLong(2), rs.getString(3)), rs.getLong(4)) : null;
    }
  }

  /** Remembers that registration {@code id} was forgotten at {@code nowMs} (newer memory of it replaced). */
  static void remember(Statements st, String id, Lease lease, long nowMs) throws SQLException {
    st.update("INSERT INTO __edge_forgotten_leases (id, cl, hlc, node, expires_ms, forgotten_ms) VALUES (?, ?, ?, ?, ?, ?)"
        + " ON CONFLICT(id) DO UPDATE SET cl = excluded.cl, hlc = excluded.hlc, node = excluded.node,"
        + " expires_ms = excluded.expires_ms, forgotten_ms = excluded.forgotten_ms",
        id, lease.cl(), lease.life().hlc(), lease.life().node(), lease.expiresMs(), nowMs);
  }

  /** Drops what was forgotten before {@code beforeMs}; how many. */
  static int purge(Statements st, long beforeMs) throws SQLException {
    return st.update("DELETE FROM __edge_forgotten_leases WHERE forgotten_ms < ?", beforeMs);
  }

  private static long expiresOf(RowChange in) {
    Cell cell = in.cells().get("expires_ms");
    return cell != null && cell.value() instanceof Number n ? n.longValue() : Long.MIN_VALUE;
  }
}
