-- Tombstones: people erased here. A late or redelivered event, or a token issued before
-- the erasure, must not bring their personal data back; only the id and the date stay.
CREATE TABLE erased_people (
    person_id text PRIMARY KEY,
    erased_at timestamptz NOT NULL
);
