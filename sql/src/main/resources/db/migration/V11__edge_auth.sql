-- routing.db schema version 11: edge auth (docs/cache.md, "Edge auth"). Validated when loaded: a
-- bad value skips the row with a warning naming it.

-- 'token': requests to the app need one of its client tokens (Authorization: Bearer ...), checked
-- by each POP against its own routing.db; others get 401 and never reach a backend. 'none' (the
-- default): no check at the edge. An added column: it takes part in per-column merging.
ALTER TABLE apps ADD COLUMN auth TEXT DEFAULT 'none';

-- Client tokens: they pass an app's requests through the edge and nothing else. A table of their
-- own, not a kind of api_tokens row: a POP of an older version keeps rows of a table it does not
-- know aside, where it would take a client token in api_tokens for an API token of the app.
-- Only a SHA-256 of each token is stored, as for api_tokens.
CREATE TABLE IF NOT EXISTS client_tokens (
  hash       TEXT PRIMARY KEY,  -- hex SHA-256 of the token
  app        TEXT,
  created_ms INTEGER,
  note       TEXT
);

INSERT OR IGNORE INTO __edge_tables (tbl, key_column) VALUES ('client_tokens', 'hash');
