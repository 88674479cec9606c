-- The caches of the baskets context, fed by the stores' integration events (event-carried state transfer) and
-- filled on a miss from the stores gRPC service. Prices are integer cents.
CREATE TABLE IF NOT EXISTS {schema}stores_cache (
    id         TEXT   NOT NULL PRIMARY KEY,
    name       TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS {schema}products_cache (
    id          TEXT   NOT NULL PRIMARY KEY,
    store_id    TEXT   NOT NULL,
    name        TEXT   NOT NULL,
    price_cents BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
