-- The name a person typed herself (« Mon nom »): it wins over her identity provider's,
-- and is the only one of someone who signs in by e-mail link. Personal data: erasure
-- deletes the row.
CREATE TABLE person_names (
    person_id uuid PRIMARY KEY REFERENCES persons (person_id),
    given_name text NOT NULL,
    usual_name text NOT NULL,
    updated_at timestamptz NOT NULL
);
