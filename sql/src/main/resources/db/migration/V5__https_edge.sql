-- routing.db schema version 5: the HTTPS edge's hostnames and certificates, replicated like every
-- other routing table (per-column versions, capture triggers generated from __edge_tables). No
-- CHECK constraints: rows written by hand are validated when loaded; a bad one is skipped with a
-- warning naming it.

-- Custom domains: a hostname (or '*.' + a name, matching one more label) routed to an app.
-- Precedence on the HTTPS listener: an exact row, then <app>.EDGEPROXY_DOMAIN, then a wildcard row.
CREATE TABLE IF NOT EXISTS hostnames (
  hostname TEXT PRIMARY KEY,         -- lower-case DNS name, or '*.example.com'
  app      TEXT,                     -- the app it routes to
  mode     TEXT DEFAULT 'terminate'  -- 'terminate' (this POP's TLS) or 'passthrough' (the backend's own TLS, by SNI)
);

-- Certificates served by SNI (exact name, then wildcard, then the default certificate).
-- edgeproxy tls add/list/remove writes them. The private key is never stored in clear: it is
-- sealed with AES-256-GCM under a key derived from the cluster key (or, on a single POP without
-- one, a local key file), bound to the hostname (docs/https-edge.md).
CREATE TABLE IF NOT EXISTS certificates (
  hostname     TEXT PRIMARY KEY,     -- the name or '*.' wildcard it is served for
  chain_pem    TEXT,                 -- PEM certificates, leaf first
  key_sealed   TEXT,                 -- 'v1:' + base64(nonce | ciphertext + tag) of the PKCS#8 key
  not_after_ms INTEGER,              -- the leaf's expiry (listings, renewal)
  source       TEXT                  -- 'operator' (edgeproxy tls add) or 'acme'
);

INSERT OR IGNORE INTO __edge_tables (tbl, key_column) VALUES ('hostnames', 'hostname'), ('certificates', 'hostname');
