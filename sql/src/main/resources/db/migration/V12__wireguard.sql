-- routing.db schema version 12: the WireGuard mesh (docs/wireguard.md). One row per POP that runs
-- it, written only by that POP: its signed announcement (public key, endpoint, overlay address,
-- routed subnets, its node certificate and a signature by that certificate's key), one column so a
-- merge never mixes two announcements. Any peer can write any replicated row, so every POP checks
-- the signature against the cluster CA before it makes a row a peer; a row that fails is skipped
-- with a warning naming it. Private keys never come here.
CREATE TABLE IF NOT EXISTS wireguard_peers (
  node         TEXT PRIMARY KEY,  -- the POP's node id (the CN of its certificate)
  announcement TEXT               -- "edgeproxy-wireguard 1" and its fields, one per line, signed
);

INSERT OR IGNORE INTO __edge_tables (tbl, key_column) VALUES ('wireguard_peers', 'node');
