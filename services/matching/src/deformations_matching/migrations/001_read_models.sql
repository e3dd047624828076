-- Read models built from other services' events only. Rows changed by a transaction carry
-- its id (changed_xid) so that each replica's in-memory offer index catches up with what
-- is committed, whichever replica consumed the event.

-- Offers; a withdrawal seen before its offer leaves a tombstone (status withdrawn, no data).
CREATE TABLE offers (
    offer_id           uuid PRIMARY KEY,
    status             text NOT NULL CHECK (status IN ('open', 'withdrawn')),
    siren              text NOT NULL,
    insee_code         text,
    epci_siren         text,
    theme              text,
    description        text,
    capacity_half_days integer,
    half_days          text[] NOT NULL DEFAULT '{}',
    modality           text,
    offered_at         timestamptz,
    withdrawn_at       timestamptz,
    changed_xid        xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX offers_changed ON offers (changed_xid);

CREATE TABLE requests (
    request_id   uuid PRIMARY KEY,
    status       text NOT NULL CHECK (status IN ('open', 'withdrawn')),
    siren        text NOT NULL,
    insee_code   text,
    epci_siren   text,
    theme        text,
    need         text,
    half_days    integer,
    preferred    text[] NOT NULL DEFAULT '{}',
    modality     text,
    period_end   date,
    requested_at timestamptz,
    withdrawn_at timestamptz
);
CREATE INDEX requests_open ON requests (theme) WHERE status = 'open';

-- Loans, from whichever of agreed/completed/cancelled comes first; an end is never undone.
CREATE TABLE loans (
    loan_id               uuid PRIMARY KEY,
    offer_id              uuid NOT NULL,
    lender_siren          text NOT NULL,
    borrower_siren        text NOT NULL,
    status                text NOT NULL CHECK (status IN ('agreed', 'completed', 'cancelled')),
    half_days_agreed      integer NOT NULL,
    half_days_used        integer NOT NULL DEFAULT 0,
    borrower_satisfaction integer,
    changed_xid           xid8 NOT NULL DEFAULT pg_current_xact_id()
);
CREATE INDEX loans_changed ON loans (changed_xid);
CREATE INDEX loans_lender ON loans (lender_siren);
CREATE INDEX loans_borrower ON loans (borrower_siren);
CREATE INDEX loans_offer ON loans (offer_id);

-- Diagnoses; anonymous ones (person_id NULL) are kept for statistics only.
CREATE TABLE diagnoses (
    response_id        uuid PRIMARY KEY,
    person_id          text,
    collectivite_siren text,
    commune_insee      text,
    departement        text,
    family             text NOT NULL,
    axis_scores        jsonb NOT NULL,
    priority_themes    text[] NOT NULL,
    time_slots         text[] NOT NULL,
    modality           text NOT NULL,
    half_days_per_month integer NOT NULL,
    next_steps         jsonb NOT NULL,
    completed_at       timestamptz NOT NULL
);
CREATE INDEX diagnoses_person ON diagnoses (person_id, completed_at DESC)
    WHERE person_id IS NOT NULL;
CREATE INDEX diagnoses_themes ON diagnoses USING gin (priority_themes);
