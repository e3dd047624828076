-- The operators' journal: every decision an operator takes in the back-office (a
-- membership accepted, refused or revoked, a dead letter re-driven or discarded), with
-- who, when and why. Append-only; ids only (people are named from their identities).
CREATE TABLE operator_journal (
    id bigserial PRIMARY KEY,
    at timestamptz NOT NULL,
    actor uuid NOT NULL,
    action text NOT NULL,
    -- What the decision is about: a membership id, or "<service>:<ce-id>".
    subject text NOT NULL,
    siren text,
    reason text
);
CREATE INDEX operator_journal_at ON operator_journal (at DESC, id DESC);
CREATE INDEX operator_journal_action ON operator_journal (action, at DESC);
CREATE INDEX operator_journal_siren ON operator_journal (siren, at DESC);
