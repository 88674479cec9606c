-- Leases on the bot fleet's claims. `claimed_by_fleet` (BIGINT 0/1, see ADR 7) marks a list a simulated bot claimed
-- (`PUT …/assign` leaves it 0: a human completes those lists, and they are never taken back); `claim_expires_at`
-- (µs since the epoch) is when such a claim lapses unless its bot renews it. A running fleet puts lists whose claim
-- lapsed back to `available` (the bots of a killed process never come back: bot ids are per process).
ALTER TABLE {schema}shopping_lists ADD COLUMN claimed_by_fleet BIGINT NOT NULL DEFAULT 0;
ALTER TABLE {schema}shopping_lists ADD COLUMN claim_expires_at BIGINT NOT NULL DEFAULT 0;
CREATE INDEX IF NOT EXISTS {schema}shopping_lists_fleet_claims_idx ON {schema}shopping_lists (claim_expires_at)
    WHERE status = 'assigned' AND claimed_by_fleet = 1;
-- Lists claimed before leases existed carry the fleet's bot ids (`bot-<n>-<uuid>`): they get an expired claim, so
-- the first fleet that runs takes back those its (possibly killed) process left behind.
UPDATE {schema}shopping_lists SET claimed_by_fleet = 1, claim_expires_at = 0
    WHERE status = 'assigned' AND assigned_bot_id LIKE 'bot-%-________-____-____-____-____________';
