-- A schema one version ahead of this build's, for tests of mixed-version clusters: a new
-- replicated table and a new column of an existing one (as later issues will add).
CREATE TABLE IF NOT EXISTS cache_purges (
  id   TEXT PRIMARY KEY,
  app  TEXT,
  scope TEXT DEFAULT 'app'
);
INSERT OR IGNORE INTO __edge_tables (tbl, key_column) VALUES ('cache_purges', 'id');
ALTER TABLE apps ADD COLUMN cache INTEGER DEFAULT 0;
