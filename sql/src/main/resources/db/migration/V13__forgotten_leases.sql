-- routing.db schema version 13: registrations this POP forgot (their lease ended longer ago than
-- EDGEPROXY_DEREGISTER_AFTER_SECS plus the tombstone TTL), remembered here and not replicated, so
-- that the same registration arriving from a POP that has not forgotten it yet is refused rather
-- than stored again (see replication/DESIGN.md, "The lease rule"). Kept for the tombstone TTL.
CREATE TABLE IF NOT EXISTS __edge_forgotten_leases (
  id           TEXT PRIMARY KEY,  -- the registration's id (and its backend's)
  cl           INTEGER NOT NULL,  -- the causal length of the life forgotten
  hlc          INTEGER NOT NULL,  -- the version that began that life: clock reading ...
  node         TEXT NOT NULL,     -- ... and origin
  expires_ms   INTEGER NOT NULL,  -- the lease's end when it was forgotten
  forgotten_ms INTEGER NOT NULL   -- when this POP forgot it (its clock)
);
