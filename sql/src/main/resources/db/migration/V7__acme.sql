-- routing.db schema version 7: ACME certificates for the HTTPS edge (docs/https-edge.md). Both
-- tables replicate like every other: the CA may check a challenge at any POP, and every POP sees
-- which one is ordering a name.

-- HTTP-01 answers: GET /.well-known/acme-challenge/<token> on the plain HTTP listener of every POP
-- answers key_authorization. Not secret (the CA fetches it in clear); removed once the order is done.
CREATE TABLE IF NOT EXISTS acme_challenges (
  token             TEXT PRIMARY KEY,  -- base64url, from the CA
  key_authorization TEXT,              -- token '.' account key thumbprint
  hostname          TEXT,              -- the name being validated
  expires_ms        INTEGER            -- when the row may be removed, milliseconds since 1970
);

-- One row per name a POP has ordered: a lease (so POPs do not order the same name at once; a
-- duplicate order is harmless, the newest valid certificate wins) and the last attempt's outcome.
CREATE TABLE IF NOT EXISTS acme_orders (
  hostname       TEXT PRIMARY KEY,
  node           TEXT,               -- the POP that holds (or last held) the lease
  lease_until_ms INTEGER,            -- the lease ends here; another POP may order after it
  failures       INTEGER DEFAULT 0,  -- failed attempts in a row
  next_try_ms    INTEGER DEFAULT 0,  -- back-off: no new attempt before this
  last_error     TEXT                -- why the last attempt failed, or NULL
);

INSERT OR IGNORE INTO __edge_tables (tbl, key_column) VALUES ('acme_challenges', 'token'), ('acme_orders', 'hostname');
