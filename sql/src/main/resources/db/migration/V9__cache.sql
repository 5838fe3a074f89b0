-- routing.db schema version 9: the edge cache (docs/cache.md). Added columns take part in
-- per-column merging like every other column. Validated when loaded: a bad value skips the row
-- with a warning naming it.

-- 1: the POPs cache the app's responses as RFC 9111 allows a shared cache (apps in HTTP mode
-- only). 0 (the default): every request goes to a backend.
ALTER TABLE apps ADD COLUMN cache INTEGER DEFAULT 0;
