-- A schema one version ahead of this build's, for tests of mixed-version clusters: a new
-- replicated table and a new column of an existing one (as later issues will add).
CREATE TABLE IF NOT EXISTS future_rows (
  id   TEXT PRIMARY KEY,
  app  TEXT,
  scope TEXT DEFAULT 'app'
);
INSERT OR IGNORE INTO __edge_tables (tbl, key_column) VALUES ('future_rows', 'id');
ALTER TABLE apps ADD COLUMN future_flag INTEGER DEFAULT 0;
