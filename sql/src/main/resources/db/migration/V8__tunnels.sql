-- routing.db schema version 8: device tunnels (docs/tunnels.md). One row per connected tunnel,
-- written by the POP that holds it, so every POP knows where each tunnel ends. A row is a liveness
-- fact: the holding POP renews expires_ms while the tunnel is up (merged by max, so a lease only
-- moves forward) and deletes the row when the tunnel closes; a row whose lease ran out (the POP
-- was killed or cut off) routes nothing on any POP and is removed later by any POP.
CREATE TABLE IF NOT EXISTS tunnels (
  id          TEXT PRIMARY KEY,  -- t-<16 hex>, made by the holding POP per connection
  app         TEXT,              -- the app the agent's token is scoped to
  agent       TEXT,              -- the agent's own id (several agents may serve one app)
  pop         TEXT,              -- node id of the POP holding the tunnel
  remote_ip   TEXT,              -- the agent's public address as the POP saw it (never connected to)
  remote_port INTEGER,
  region      TEXT,              -- the agent's region (GeoIP of remote_ip), else the holding POP's
  country     TEXT,              -- ISO 3166 alpha-2 of remote_ip, or NULL
  since_ms    INTEGER,           -- connected since, milliseconds since 1970
  expires_ms  INTEGER            -- the lease: routes nothing after this
);

INSERT OR IGNORE INTO __edge_tables (tbl, key_column) VALUES ('tunnels', 'id');
INSERT OR IGNORE INTO __edge_merge_rules (tbl, col, rule) VALUES ('tunnels', 'expires_ms', 'max');
