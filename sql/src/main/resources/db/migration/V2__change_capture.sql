-- routing.db schema version 2: change capture for replication.
-- Every insert, update and delete of a replicated table, whoever makes it (the appliance, the CLI,
-- or sqlite3 on the file), leaves the row's key in __edge_pending; the appliance then gives each
-- change a version (hybrid logical clock + node id) in __edge_versions and ships the row's state.
-- Changes applied from other POPs pause capture (__edge_capture.paused = 1 inside the applying
-- transaction), so they are not captured again as local changes.
CREATE TABLE IF NOT EXISTS __edge_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
);

CREATE TABLE IF NOT EXISTS __edge_capture (
  id     INTEGER PRIMARY KEY CHECK (id = 1),
  paused INTEGER NOT NULL DEFAULT 0
);
INSERT OR IGNORE INTO __edge_capture (id, paused) VALUES (1, 0);

CREATE TABLE IF NOT EXISTS __edge_pending (
  seq     INTEGER PRIMARY KEY AUTOINCREMENT,
  tbl     TEXT NOT NULL,
  pk      TEXT,
  wall_ms INTEGER NOT NULL  -- wall-clock milliseconds of the write (0 for rows that predate capture)
);

CREATE TABLE IF NOT EXISTS __edge_versions (
  tbl     TEXT NOT NULL,
  pk      TEXT NOT NULL,
  hlc     INTEGER NOT NULL,
  node    TEXT NOT NULL,
  deleted INTEGER NOT NULL DEFAULT 0,  -- 1: tombstone (the row was deleted at this version)
  PRIMARY KEY (tbl, pk)
) WITHOUT ROWID;

CREATE TRIGGER IF NOT EXISTS __edge_backends_insert AFTER INSERT ON backends WHEN (SELECT paused FROM __edge_capture WHERE id = 1) = 0
BEGIN
  INSERT INTO __edge_pending (tbl, pk, wall_ms) VALUES ('backends', NEW.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

CREATE TRIGGER IF NOT EXISTS __edge_backends_update AFTER UPDATE ON backends WHEN (SELECT paused FROM __edge_capture WHERE id = 1) = 0
BEGIN
  INSERT INTO __edge_pending (tbl, pk, wall_ms) VALUES ('backends', OLD.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
  INSERT INTO __edge_pending (tbl, pk, wall_ms) SELECT 'backends', NEW.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE NEW.id IS NOT OLD.id;
END;

CREATE TRIGGER IF NOT EXISTS __edge_backends_delete AFTER DELETE ON backends WHEN (SELECT paused FROM __edge_capture WHERE id = 1) = 0
BEGIN
  INSERT INTO __edge_pending (tbl, pk, wall_ms) VALUES ('backends', OLD.id, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

-- Rows that predate capture get versions too (wall 0: the oldest possible).
INSERT INTO __edge_pending (tbl, pk, wall_ms) SELECT 'backends', id, 0 FROM backends WHERE id IS NOT NULL;

CREATE TRIGGER IF NOT EXISTS __edge_apps_insert AFTER INSERT ON apps WHEN (SELECT paused FROM __edge_capture WHERE id = 1) = 0
BEGIN
  INSERT INTO __edge_pending (tbl, pk, wall_ms) VALUES ('apps', NEW.name, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

CREATE TRIGGER IF NOT EXISTS __edge_apps_update AFTER UPDATE ON apps WHEN (SELECT paused FROM __edge_capture WHERE id = 1) = 0
BEGIN
  INSERT INTO __edge_pending (tbl, pk, wall_ms) VALUES ('apps', OLD.name, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
  INSERT INTO __edge_pending (tbl, pk, wall_ms) SELECT 'apps', NEW.name, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE NEW.name IS NOT OLD.name;
END;

CREATE TRIGGER IF NOT EXISTS __edge_apps_delete AFTER DELETE ON apps WHEN (SELECT paused FROM __edge_capture WHERE id = 1) = 0
BEGIN
  INSERT INTO __edge_pending (tbl, pk, wall_ms) VALUES ('apps', OLD.name, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

-- Rows that predate capture get versions too (wall 0: the oldest possible).
INSERT INTO __edge_pending (tbl, pk, wall_ms) SELECT 'apps', name, 0 FROM apps WHERE name IS NOT NULL;

CREATE TRIGGER IF NOT EXISTS __edge_region_countries_insert AFTER INSERT ON region_countries WHEN (SELECT paused FROM __edge_capture WHERE id = 1) = 0
BEGIN
  INSERT INTO __edge_pending (tbl, pk, wall_ms) VALUES ('region_countries', NEW.country, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

CREATE TRIGGER IF NOT EXISTS __edge_region_countries_update AFTER UPDATE ON region_countries WHEN (SELECT paused FROM __edge_capture WHERE id = 1) = 0
BEGIN
  INSERT INTO __edge_pending (tbl, pk, wall_ms) VALUES ('region_countries', OLD.country, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
  INSERT INTO __edge_pending (tbl, pk, wall_ms) SELECT 'region_countries', NEW.country, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER) WHERE NEW.country IS NOT OLD.country;
END;

CREATE TRIGGER IF NOT EXISTS __edge_region_countries_delete AFTER DELETE ON region_countries WHEN (SELECT paused FROM __edge_capture WHERE id = 1) = 0
BEGIN
  INSERT INTO __edge_pending (tbl, pk, wall_ms) VALUES ('region_countries', OLD.country, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER));
END;

-- Rows that predate capture get versions too (wall 0: the oldest possible).
INSERT INTO __edge_pending (tbl, pk, wall_ms) SELECT 'region_countries', country, 0 FROM region_countries WHERE country IS NOT NULL;
