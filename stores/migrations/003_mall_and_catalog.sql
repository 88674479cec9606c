-- The read models of the stores context: the mall (stores) and the catalog (products, price in cents).
CREATE TABLE IF NOT EXISTS {schema}stores (
    id            TEXT    NOT NULL PRIMARY KEY,
    name          TEXT    NOT NULL,
    location      TEXT    NOT NULL,
    participating BOOLEAN NOT NULL DEFAULT FALSE,
    created_at    BIGINT  NOT NULL,
    updated_at    BIGINT  NOT NULL
);
CREATE INDEX IF NOT EXISTS {schema}participating_stores_idx ON {schema}stores (participating) WHERE participating;
CREATE TABLE IF NOT EXISTS {schema}products (
    id          TEXT   NOT NULL PRIMARY KEY,
    store_id    TEXT   NOT NULL,
    name        TEXT   NOT NULL,
    description TEXT   NOT NULL,
    sku         TEXT   NOT NULL,
    price_cents BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS {schema}store_products_idx ON {schema}products (store_id, created_at);
