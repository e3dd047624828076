-- An address a person gave for her notifications, waiting for her to open the link
-- mailed to it: only the keyed hash of the link's secret is kept, used once.
CREATE TABLE address_checks (
    token_hash text PRIMARY KEY,
    person_id uuid NOT NULL REFERENCES persons (person_id),
    email text NOT NULL,
    -- The preferences given with the address, for a person registered nowhere yet.
    preferences jsonb NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz
);
CREATE INDEX address_checks_person ON address_checks (person_id, created_at);
