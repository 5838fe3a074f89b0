-- routing.db schema version 10: purges of the edge cache (docs/cache.md). A purge is a row, so it
-- replicates like every other: each POP drops what it holds of the app that the row selects,
-- once, when the row reaches it (a POP cut off when the purge was made applies it after the heal).
-- Rows are removed a day after they were made, by the POP that writes the next purge.
CREATE TABLE IF NOT EXISTS cache_purges (
  id         TEXT PRIMARY KEY,  -- p-<16 hex>
  app        TEXT,
  kind       TEXT,              -- 'all', 'path' (the path and query), 'prefix' (of the path) or 'tag'
  value      TEXT DEFAULT '',   -- the path, prefix or tag; '' for 'all'
  created_ms INTEGER            -- milliseconds since 1970
);

INSERT OR IGNORE INTO __edge_tables (tbl, key_column) VALUES ('cache_purges', 'id');
