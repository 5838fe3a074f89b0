-- A schema one version ahead of this build's, for tests of mixed-version clusters: a new
-- replicated table and a new column of an existing one (as later issues will add).
CREATE TABLE IF NOT EXISTS hostnames (
  hostname TEXT PRIMARY KEY,
  app      TEXT,
  mode     TEXT DEFAULT 'terminate'
);
INSERT OR IGNORE INTO __edge_tables (tbl, key_column) VALUES ('hostnames', 'hostname');
ALTER TABLE apps ADD COLUMN http_redirect INTEGER DEFAULT 1;
