-- The customers table (a CRUD aggregate): `version` is the expected-version guard of every update.
CREATE TABLE IF NOT EXISTS {schema}customers (
    id         TEXT    NOT NULL PRIMARY KEY,
    name       TEXT    NOT NULL,
    sms_number TEXT    NOT NULL,
    enabled    BOOLEAN NOT NULL,
    version    BIGINT  NOT NULL,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL
);
