-- Caches of the owners' data (event-carried state transfer, filled from gRPC on a miss).
CREATE TABLE IF NOT EXISTS {schema}customers_cache (
    id         TEXT   NOT NULL PRIMARY KEY,
    name       TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS {schema}stores_cache (
    id         TEXT   NOT NULL PRIMARY KEY,
    name       TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS {schema}products_cache (
    id         TEXT   NOT NULL PRIMARY KEY,
    store_id   TEXT   NOT NULL,
    name       TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- The order read model. A row may be created by a status event that overtook its OrderCreated: it then has
-- `detailed = 0` (hidden from queries) until OrderCreated fills it. `status_rank` only grows, so a late or repeated
-- event never moves an order back. `items` is JSON with the original's Go field names.
CREATE TABLE IF NOT EXISTS {schema}orders (
    order_id      TEXT   NOT NULL PRIMARY KEY,
    customer_id   TEXT   NOT NULL,
    customer_name TEXT   NOT NULL,
    items         TEXT   NOT NULL,
    total_cents   BIGINT NOT NULL,
    status        TEXT   NOT NULL,
    status_rank   BIGINT NOT NULL,
    detailed      BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS {schema}orders_created_idx ON {schema}orders (created_at, order_id);
CREATE INDEX IF NOT EXISTS {schema}orders_customer_idx ON {schema}orders (customer_id, created_at);

-- One row per order line, for the store and product filters.
CREATE TABLE IF NOT EXISTS {schema}order_items (
    order_id   TEXT   NOT NULL,
    line       BIGINT NOT NULL,
    product_id TEXT   NOT NULL,
    store_id   TEXT   NOT NULL,
    PRIMARY KEY (order_id, line)
);
CREATE INDEX IF NOT EXISTS {schema}order_items_store_idx ON {schema}order_items (store_id, order_id);
CREATE INDEX IF NOT EXISTS {schema}order_items_product_idx ON {schema}order_items (product_id, order_id);
