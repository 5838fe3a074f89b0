-- routing.db schema version 1.
-- backends keeps the Rust original's columns and names so its routing.db files open unchanged;
-- a file made for the original (no country column) is upgraded by adding the missing columns
-- (see Migrations.LEGACY_BACKEND_COLUMNS). No CHECK constraints: rows written by hand are
-- validated when loaded, and a bad one is skipped with a warning instead of failing the write.
CREATE TABLE IF NOT EXISTS backends (
  id         TEXT PRIMARY KEY,
  app        TEXT,
  region     TEXT,
  country    TEXT,
  wg_ip      TEXT,
  port       INTEGER,
  healthy    INTEGER DEFAULT 1,
  weight     INTEGER DEFAULT 2,
  soft_limit INTEGER DEFAULT 100,
  hard_limit INTEGER DEFAULT 150,
  deleted    INTEGER DEFAULT 0
);

-- Per-app settings; an app without a row uses the defaults.
CREATE TABLE IF NOT EXISTS apps (
  name           TEXT PRIMARY KEY,
  proxy_protocol INTEGER NOT NULL DEFAULT 0  -- 1: send a PROXY protocol v2 header to backends
);

-- Operator overrides of the default country -> region map (sa/us/eu/ap). A region named here
-- becomes a known region.
CREATE TABLE IF NOT EXISTS region_countries (
  country TEXT PRIMARY KEY,  -- ISO 3166 alpha-2
  region  TEXT NOT NULL
);
