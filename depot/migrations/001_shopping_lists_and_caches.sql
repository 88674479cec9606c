-- Shopping lists (one per order; stops as JSON with the original's Go field names) and the caches of the stores
-- context's data that lists are built from. `version` is the expected-version guard of every update.
CREATE TABLE IF NOT EXISTS {schema}shopping_lists (
    id              TEXT   NOT NULL PRIMARY KEY,
    order_id        TEXT   NOT NULL,
    stops           TEXT   NOT NULL,
    assigned_bot_id TEXT   NOT NULL,
    status          TEXT   NOT NULL,
    version         BIGINT NOT NULL,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE UNIQUE INDEX IF NOT EXISTS {schema}shopping_lists_order_id_idx ON {schema}shopping_lists (order_id);
CREATE INDEX IF NOT EXISTS {schema}shopping_lists_availability_idx ON {schema}shopping_lists (status, created_at)
    WHERE status = 'available';
CREATE TABLE IF NOT EXISTS {schema}stores_cache (
    id         TEXT   NOT NULL PRIMARY KEY,
    name       TEXT   NOT NULL,
    location   TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS {schema}products_cache (
    id         TEXT   NOT NULL PRIMARY KEY,
    store_id   TEXT   NOT NULL,
    name       TEXT   NOT NULL,
    updated_at BIGINT NOT NULL
);
