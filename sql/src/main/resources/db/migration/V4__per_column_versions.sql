-- routing.db schema version 4: per-column versions (cr-sqlite's model) and what replication needs
-- to stay correct under faults. Capture triggers are no longer written here: they are generated
-- from the registry below at every start (CaptureTriggers), so a table or column added by a later
-- migration is captured without pasting triggers. Rows of the old per-row versions are carried over
-- by Migrations (every column of a row gets the row's version).

-- The replicated tables and their key column; columns are whatever the table has.
CREATE TABLE IF NOT EXISTS __edge_tables (
  tbl        TEXT PRIMARY KEY,
  key_column TEXT NOT NULL
);
INSERT OR IGNORE INTO __edge_tables (tbl, key_column) VALUES
  ('backends', 'id'), ('apps', 'name'), ('region_countries', 'country'),
  ('registrations', 'id'), ('api_tokens', 'hash'), ('health_checks', 'app');

-- Columns that do not merge by last writer: 'max' keeps the larger value (a lease only moves forward).
CREATE TABLE IF NOT EXISTS __edge_merge_rules (
  tbl  TEXT NOT NULL,
  col  TEXT NOT NULL,
  rule TEXT NOT NULL,
  PRIMARY KEY (tbl, col)
);
INSERT OR IGNORE INTO __edge_merge_rules (tbl, col, rule) VALUES ('registrations', 'expires_ms', 'max');

-- Every replicated row: its existence (causal length, odd: exists, even: deleted, and the version of
-- the insert or delete that set it) and the cells of its current life, one value for the row
-- (CellsCodec: per column its version, and its value when kept here). kept = 1: some value lives
-- in cells, not in a table (a table or column this POP's schema does not know yet, kept aside
-- until an upgrade adds it); columns merged by another rule than last writer also keep a copy of
-- their value. newest: the newest version among existence and cells. A deleted row is a tombstone
-- here until compaction.
CREATE TABLE IF NOT EXISTS __edge_rows (
  tbl    TEXT NOT NULL,
  pk     TEXT NOT NULL,
  cl     INTEGER NOT NULL,
  hlc    INTEGER NOT NULL,
  node   TEXT NOT NULL,
  cells  BLOB,
  kept   INTEGER NOT NULL DEFAULT 0,
  newest INTEGER NOT NULL DEFAULT 0,
  PRIMARY KEY (tbl, pk)
) WITHOUT ROWID;
CREATE INDEX IF NOT EXISTS __edge_rows_tombstones ON __edge_rows (hlc) WHERE cl % 2 = 0;
CREATE INDEX IF NOT EXISTS __edge_rows_kept ON __edge_rows (tbl) WHERE kept = 1;

INSERT INTO __edge_rows (tbl, pk, cl, hlc, node, newest)
  SELECT tbl, pk, CASE WHEN deleted = 1 THEN 2 ELSE 1 END, hlc, node, hlc FROM __edge_versions;
DROP TABLE IF EXISTS __edge_versions;

-- Pending captures now name the column an update changed (NULL: the row was inserted or deleted).
ALTER TABLE __edge_pending ADD COLUMN col TEXT;

DROP TRIGGER IF EXISTS __edge_backends_insert;
DROP TRIGGER IF EXISTS __edge_backends_update;
DROP TRIGGER IF EXISTS __edge_backends_delete;
DROP TRIGGER IF EXISTS __edge_apps_insert;
DROP TRIGGER IF EXISTS __edge_apps_update;
DROP TRIGGER IF EXISTS __edge_apps_delete;
DROP TRIGGER IF EXISTS __edge_region_countries_insert;
DROP TRIGGER IF EXISTS __edge_region_countries_update;
DROP TRIGGER IF EXISTS __edge_region_countries_delete;
DROP TRIGGER IF EXISTS __edge_registrations_insert;
DROP TRIGGER IF EXISTS __edge_registrations_update;
DROP TRIGGER IF EXISTS __edge_registrations_delete;
DROP TRIGGER IF EXISTS __edge_api_tokens_insert;
DROP TRIGGER IF EXISTS __edge_api_tokens_update;
DROP TRIGGER IF EXISTS __edge_api_tokens_delete;
DROP TRIGGER IF EXISTS __edge_health_checks_insert;
DROP TRIGGER IF EXISTS __edge_health_checks_update;
DROP TRIGGER IF EXISTS __edge_health_checks_delete;

-- holds: this replica holds every change made by origin with a version up to hlc (write receipts,
-- staleness). horizons: the newest tombstone of origin this replica has compacted away.
CREATE TABLE IF NOT EXISTS __edge_holds (
  origin TEXT PRIMARY KEY,
  hlc    INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS __edge_horizons (
  origin TEXT PRIMARY KEY,
  hlc    INTEGER NOT NULL
);

-- Changes stamped further ahead of this POP's clock than the skew bound: held, not dropped, until
-- the clock reaches release_ms.
CREATE TABLE IF NOT EXISTS __edge_held (
  seq        INTEGER PRIMARY KEY AUTOINCREMENT,
  release_ms INTEGER NOT NULL,
  row        BLOB NOT NULL
);

-- Every POP this one has seen, up or down (write receipts count them all).
CREATE TABLE IF NOT EXISTS __edge_members (
  node         TEXT PRIMARY KEY,
  region       TEXT,
  address      TEXT,
  last_seen_ms INTEGER
);

-- Leases are now derived from registrations.expires_ms (merged by max) on every POP; the old
-- expiry wrote healthy = 0 and expired = 1, which no longer mean anything: undo them.
UPDATE backends SET healthy = 1 WHERE id IN (SELECT id FROM registrations WHERE expired = 1);
UPDATE registrations SET expired = 0 WHERE expired = 1;
