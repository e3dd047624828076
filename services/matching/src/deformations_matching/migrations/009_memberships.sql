-- Memberships of collectivités, as the portal publishes them (membership.changed.v1): an
-- organiser invites only the validated members of the collectivité or EPCI they act for.
-- The latest change of a membership wins, whatever the order the events arrive in.
CREATE TABLE memberships (
    membership_id uuid PRIMARY KEY,
    person_id     text NOT NULL,
    siren         text NOT NULL,
    role          text NOT NULL,
    status        text NOT NULL,
    changed_at    timestamptz NOT NULL
);
CREATE INDEX memberships_validated ON memberships (siren, person_id) WHERE status = 'validated';
CREATE INDEX memberships_person ON memberships (person_id);
