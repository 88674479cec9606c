-- Payments (pre-authorizations that an order may confirm once) and invoices (one per readied order). Money is
-- integer cents; `version` is the expected-version guard of every update.
CREATE TABLE IF NOT EXISTS {schema}payments (
    id           TEXT   NOT NULL PRIMARY KEY,
    customer_id  TEXT   NOT NULL,
    amount_cents BIGINT NOT NULL,
    order_id     TEXT,
    status       TEXT   NOT NULL,
    version      BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS {schema}payments_order_id_idx ON {schema}payments (order_id);
CREATE TABLE IF NOT EXISTS {schema}invoices (
    id           TEXT   NOT NULL PRIMARY KEY,
    order_id     TEXT   NOT NULL,
    payment_id   TEXT   NOT NULL,
    amount_cents BIGINT NOT NULL,
    status       TEXT   NOT NULL,
    version      BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS {schema}invoices_order_id_idx ON {schema}invoices (order_id);
