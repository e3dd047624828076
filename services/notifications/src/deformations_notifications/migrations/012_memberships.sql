-- Who holds which role in which collectivité, as the portal publishes it
-- (membership.changed.v1, ids only): a loan's action request is mailed to the validated
-- members holding the awaited role, not to everyone registered for the collectivité.
-- The latest change of a membership wins, whatever the order the events arrive in.
CREATE TABLE memberships (
    membership_id uuid PRIMARY KEY,
    person_id     text NOT NULL,
    siren         text NOT NULL,
    role          text NOT NULL,
    status        text NOT NULL,
    changed_at    timestamptz NOT NULL
);
CREATE INDEX memberships_validated ON memberships (siren, role) WHERE status = 'validated';
CREATE INDEX memberships_person ON memberships (person_id);
