-- routing.db schema version 6: HTTP mode per app on the HTTPS edge. Added columns take part in
-- per-column merging like every other column (the capture triggers are generated from the table).
-- Validated when loaded: a bad value skips the row with a warning naming it.

-- 'tcp' (the default): a connection whose TLS the edge ends is relayed byte for byte, as on the L4
-- listeners. 'http': the edge speaks HTTP/1.1 and HTTP/2 to clients and picks a backend per request.
ALTER TABLE apps ADD COLUMN protocol TEXT DEFAULT 'tcp';

-- On EDGEPROXY_HTTP_LISTEN_ADDR: 1 (the default) answers 308 to https://; 0 serves an app in HTTP mode
-- in plain HTTP as well. 'tcp' apps are never served there.
ALTER TABLE apps ADD COLUMN http_redirect INTEGER DEFAULT 1;
