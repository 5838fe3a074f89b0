-- routing.db schema version 3: the discovery API's registrations and tokens, and per-app active
-- health checks. All three replicate like the routing tables (change capture triggers below).

-- A backend registered through the discovery API lives while heartbeats arrive. expires_ms is
-- replicated, so every POP can expire it, even when the POP that accepted it is gone.
CREATE TABLE IF NOT EXISTS registrations (
  id            TEXT PRIMARY KEY,  -- = backends.id
  app           TEXT,
  ttl_ms        INTEGER,           -- heartbeat TTL of this registration
  expires_ms    INTEGER,           -- wall-clock ms after which the backend is marked unhealthy
  expired       INTEGER DEFAULT 0, -- 1: the lease ran out and the backend was marked unhealthy for it
  accepted_by   TEXT,              -- node id (or region) of the POP that took the last registration
  registered_ms INTEGER,
  metadata      TEXT               -- JSON object of string values, as registered
);

-- API bearer tokens: only a SHA-256 of each token is stored. scope '*' is an admin token,
-- anything else is the one app the token may manage.
CREATE TABLE IF NOT EXISTS api_tokens (
  hash       TEXT PRIMARY KEY,     -- hex SHA-256 of the token
  scope      TEXT,
  created_ms INTEGER,
  note       TEXT
);

-- Active health checks per app, run by every POP from where it stands; results stay local.
CREATE TABLE IF NOT EXISTS health_checks (
  app         TEXT PRIMARY KEY,
  type        TEXT,                -- 'tcp' (connect) or 'http' (GET path, 2xx/3xx is up)
  path        TEXT,                -- for 'http'; default '/'
  interval_ms INTEGER DEFAULT 2000,
  timeout_ms  INTEGER DEFAULT 1000,
  rise        INTEGER DEFAULT 2,   -- consecutive successes to mark a failing backend up
  fall        INTEGER DEFAULT 3    -- consecutive failures to mark it down
);

CREATE TRIGGER IF NOT EXISTS __edge_registrations_insert AFTER INSERT ON registrations WHEN (SELECT paused FROM __edge_capture WHERE id = 1) = 0
BEGIN
  INSERT INTO __edge_pending (tbl, pk, wall_ms) VALUES ('registrations', NEW.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

CREATE TRIGGER IF NOT EXISTS __edge_registrations_update AFTER UPDATE ON registrations WHEN (SELECT paused FROM __edge_capture WHERE id = 1) = 0
BEGIN
  INSERT INTO __edge_pending (tbl, pk, wall_ms) VALUES ('registrations', OLD.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
  INSERT INTO __edge_pending (tbl, pk, wall_ms) SELECT 'registrations', NEW.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE NEW.id IS NOT OLD.id;
END;

CREATE TRIGGER IF NOT EXISTS __edge_registrations_delete AFTER DELETE ON registrations WHEN (SELECT paused FROM __edge_capture WHERE id = 1) = 0
BEGIN
  INSERT INTO __edge_pending (tbl, pk, wall_ms) VALUES ('registrations', OLD.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

CREATE TRIGGER IF NOT EXISTS __edge_api_tokens_insert AFTER INSERT ON api_tokens WHEN (SELECT paused FROM __edge_capture WHERE id = 1) = 0
BEGIN
  INSERT INTO __edge_pending (tbl, pk, wall_ms) VALUES ('api_tokens', NEW.hash, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

CREATE TRIGGER IF NOT EXISTS __edge_api_tokens_update AFTER UPDATE ON api_tokens WHEN (SELECT paused FROM __edge_capture WHERE id = 1) = 0
BEGIN
  INSERT INTO __edge_pending (tbl, pk, wall_ms) VALUES ('api_tokens', OLD.hash, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
  INSERT INTO __edge_pending (tbl, pk, wall_ms) SELECT 'api_tokens', NEW.hash, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE NEW.hash IS NOT OLD.hash;
END;

CREATE TRIGGER IF NOT EXISTS __edge_api_tokens_delete AFTER DELETE ON api_tokens WHEN (SELECT paused FROM __edge_capture WHERE id = 1) = 0
BEGIN
  INSERT INTO __edge_pending (tbl, pk, wall_ms) VALUES ('api_tokens', OLD.hash, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

CREATE TRIGGER IF NOT EXISTS __edge_health_checks_insert AFTER INSERT ON health_checks WHEN (SELECT paused FROM __edge_capture WHERE id = 1) = 0
BEGIN
  INSERT INTO __edge_pending (tbl, pk, wall_ms) VALUES ('health_checks', NEW.app, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

CREATE TRIGGER IF NOT EXISTS __edge_health_checks_update AFTER UPDATE ON health_checks WHEN (SELECT paused FROM __edge_capture WHERE id = 1) = 0
BEGIN
  INSERT INTO __edge_pending (tbl, pk, wall_ms) VALUES ('health_checks', OLD.app, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
  INSERT INTO __edge_pending (tbl, pk, wall_ms) SELECT 'health_checks', NEW.app, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE NEW.app IS NOT OLD.app;
END;

CREATE TRIGGER IF NOT EXISTS __edge_health_checks_delete AFTER DELETE ON health_checks WHEN (SELECT paused FROM __edge_capture WHERE id = 1) = 0
BEGIN
  INSERT INTO __edge_pending (tbl, pk, wall_ms) VALUES ('health_checks', OLD.app, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;
