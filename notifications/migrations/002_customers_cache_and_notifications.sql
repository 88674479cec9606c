-- The customers cache (event-carried state transfer from customers; filled from gRPC on a miss) and the
-- notifications sent, which also serve `GET /api/notifications/customers/{customerId}`.
CREATE TABLE IF NOT EXISTS {schema}customers_cache (
    id         TEXT   NOT NULL PRIMARY KEY,
    name       TEXT   NOT NULL,
    sms_number TEXT   NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE TABLE IF NOT EXISTS {schema}notifications (
    id          TEXT   NOT NULL PRIMARY KEY,
    customer_id TEXT   NOT NULL,
    order_id    TEXT   NOT NULL,
    kind        TEXT   NOT NULL,
    sms_number  TEXT   NOT NULL,
    text        TEXT   NOT NULL,
    sent_at     BIGINT NOT NULL
);
CREATE INDEX IF NOT EXISTS {schema}notifications_customer_idx ON {schema}notifications (customer_id, sent_at);
