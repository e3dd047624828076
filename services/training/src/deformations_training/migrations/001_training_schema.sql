-- Training service schema (PostgreSQL 15). Unqualified names: the migration runner sets
-- search_path to the service's own schema. The runtime owns outbox, inbox and
-- schema_migrations.
--
-- Invariants that must hold under concurrent requests whatever the code does:
--   * an offer never has more confirmed enrolments than its capacity: offers.confirmed
--     is moved by a trigger on enrolments and bounded by a CHECK; the trigger's UPDATE
--     takes the offer's row lock, which the use cases also take first (FOR UPDATE), so
--     enrolments, cancellations and promotions of one offer serialise;
--   * a person has at most one live enrolment per offer (partial UNIQUE index);
--   * one rebond per module followed, one questionnaire of each kind per enrolment.

CREATE TABLE bodies (
    siren              char(9) PRIMARY KEY CHECK (siren ~ '^[0-9]{9}$'),
    name               text NOT NULL CHECK (length(name) BETWEEN 3 AND 200),
    agrement_reference text CHECK (agrement_reference <> ''),
    agrement_until     date,
    registered_at      timestamptz NOT NULL,
    CONSTRAINT bodies_agrement_until_needs_reference
        CHECK (agrement_until IS NULL OR agrement_reference IS NOT NULL)
);

CREATE TABLE offers (
    id                     uuid PRIMARY KEY,
    body_siren             char(9) NOT NULL REFERENCES bodies (siren),
    title                  text NOT NULL CHECK (length(title) BETWEEN 5 AND 200),
    description            text NOT NULL DEFAULT '',
    theme                  text NOT NULL CHECK (theme ~ '^[a-z][a-z0-9_]{1,39}$'),
    format                 text NOT NULL
        CHECK (format IN ('half_day', 'evening', 'e_learning', 'cafe', 'visit')),
    duration_minutes       integer NOT NULL CHECK (duration_minutes > 0),
    capacity               integer NOT NULL CHECK (capacity > 0),
    confirmed              integer NOT NULL DEFAULT 0,
    price_cents            integer NOT NULL CHECK (price_cents >= 0),
    place_insee            text CHECK (place_insee ~ '^([0-9]{2}|2A|2B)[0-9]{3}$'),
    place_label            text,
    video_url              text CHECK (video_url LIKE 'https://%'),
    group_tiers            jsonb NOT NULL DEFAULT '[]',
    registration_closes_at timestamptz,
    published_at           timestamptz NOT NULL,
    cancelled_at           timestamptz,
    CONSTRAINT offers_within_capacity CHECK (confirmed BETWEEN 0 AND capacity),
    CONSTRAINT offers_place_or_link CHECK ((place_insee IS NULL) <> (video_url IS NULL))
);
CREATE INDEX offers_theme ON offers (theme) WHERE cancelled_at IS NULL;
CREATE INDEX offers_body ON offers (body_siren);

CREATE TABLE sessions (
    id        uuid PRIMARY KEY,
    offer_id  uuid NOT NULL REFERENCES offers (id),
    starts_at timestamptz NOT NULL,
    ends_at   timestamptz NOT NULL,
    -- iCalendar SEQUENCE of what participants were last told; announced once a
    -- session.scheduled went out (a session with nobody enrolled is not announced).
    sequence  integer NOT NULL DEFAULT 0 CHECK (sequence >= 0),
    announced boolean NOT NULL DEFAULT false,
    cancelled boolean NOT NULL DEFAULT false,
    CONSTRAINT sessions_ordered CHECK (ends_at > starts_at)
);
CREATE INDEX sessions_offer ON sessions (offer_id, starts_at);

CREATE TABLE groups (
    id                  uuid PRIMARY KEY,
    offer_id            uuid NOT NULL REFERENCES offers (id),
    territory_siren     char(9) NOT NULL CHECK (territory_siren ~ '^[0-9]{9}$'),
    organiser_id        text NOT NULL,
    created_at          timestamptz NOT NULL,
    settled_at          timestamptz,
    settled_price_cents integer CHECK (settled_price_cents >= 0)
);
CREATE INDEX groups_offer ON groups (offer_id);

CREATE TABLE enrolments (
    id                 uuid PRIMARY KEY,
    offer_id           uuid NOT NULL REFERENCES offers (id),
    person_id          text NOT NULL,
    collectivite_siren char(9) CHECK (collectivite_siren ~ '^[0-9]{9}$'),
    group_id           uuid REFERENCES groups (id),
    status             text NOT NULL CHECK (status IN ('confirmed', 'waitlisted', 'cancelled')),
    requested_at       timestamptz NOT NULL,
    price_cents        integer NOT NULL CHECK (price_cents >= 0),
    confirmed_at       timestamptz,
    cancelled_at       timestamptz,
    enrolled_by        text
);
CREATE UNIQUE INDEX enrolments_one_live_per_person
    ON enrolments (offer_id, person_id) WHERE status <> 'cancelled';
CREATE INDEX enrolments_waitlist
    ON enrolments (offer_id, requested_at, id) WHERE status = 'waitlisted';
CREATE INDEX enrolments_person ON enrolments (person_id);
CREATE INDEX enrolments_collectivite ON enrolments (collectivite_siren) WHERE status = 'confirmed';
CREATE INDEX enrolments_group ON enrolments (group_id) WHERE group_id IS NOT NULL;

CREATE FUNCTION enrolments_count_confirmed() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    delta integer := 0;
BEGIN
    IF TG_OP = 'INSERT' THEN
        delta := CASE WHEN NEW.status = 'confirmed' THEN 1 ELSE 0 END;
    ELSE
        delta := (CASE WHEN NEW.status = 'confirmed' THEN 1 ELSE 0 END)
               - (CASE WHEN OLD.status = 'confirmed' THEN 1 ELSE 0 END);
    END IF;
    IF delta <> 0 THEN
        UPDATE offers SET confirmed = confirmed + delta WHERE id = NEW.offer_id;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER enrolments_count_confirmed
    AFTER INSERT OR UPDATE OF status ON enrolments
    FOR EACH ROW EXECUTE FUNCTION enrolments_count_confirmed();

CREATE TABLE attendance (
    enrolment_id uuid NOT NULL REFERENCES enrolments (id),
    session_id   uuid NOT NULL REFERENCES sessions (id),
    present      boolean NOT NULL,
    recorded_by  text,
    recorded_at  timestamptz NOT NULL,
    PRIMARY KEY (enrolment_id, session_id)
);

CREATE TABLE rebonds (
    id                 uuid PRIMARY KEY,
    after_enrolment_id uuid NOT NULL REFERENCES enrolments (id),
    person_id          text NOT NULL,
    kind               text NOT NULL CHECK (kind IN ('module', 'cafe', 'peer_group', 'visit')),
    offer_id           uuid REFERENCES offers (id),
    debrief            text NOT NULL,
    proposal           text NOT NULL,
    trainer_id         text,
    proposed_at        timestamptz NOT NULL,
    status             text NOT NULL CHECK (status IN ('proposed', 'taken', 'left')),
    answered_at        timestamptz,
    remind_at          timestamptz,
    reminded_at        timestamptz,
    CONSTRAINT rebonds_one_per_module UNIQUE (after_enrolment_id)
);
CREATE INDEX rebonds_person ON rebonds (person_id);
CREATE INDEX rebonds_reminder_due ON rebonds (remind_at) WHERE reminded_at IS NULL;

CREATE TABLE evaluations (
    id           uuid PRIMARY KEY,
    enrolment_id uuid NOT NULL REFERENCES enrolments (id),
    offer_id     uuid NOT NULL REFERENCES offers (id),
    person_id    text NOT NULL,
    session_id   uuid REFERENCES sessions (id),
    kind         text NOT NULL
        CHECK (kind IN ('satisfaction', 'impact_6_months', 'impact_12_months')),
    due_at       timestamptz NOT NULL,
    notified_at  timestamptz,
    answered_at  timestamptz,
    answers      jsonb,
    -- Satisfaction after each session; impact once per enrolment.
    CONSTRAINT evaluations_satisfaction_per_session
        CHECK ((kind = 'satisfaction') = (session_id IS NOT NULL)),
    CONSTRAINT evaluations_answered CHECK ((answered_at IS NULL) = (answers IS NULL))
);
CREATE UNIQUE INDEX evaluations_one_per_kind
    ON evaluations (enrolment_id, kind, coalesce(session_id, '00000000-0000-0000-0000-000000000000'));
CREATE INDEX evaluations_due ON evaluations (due_at) WHERE notified_at IS NULL;
CREATE INDEX evaluations_offer ON evaluations (offer_id, kind) WHERE answered_at IS NOT NULL;

CREATE TABLE budgets (
    collectivite_siren        char(9) NOT NULL CHECK (collectivite_siren ~ '^[0-9]{9}$'),
    year                      integer NOT NULL,
    voted_cents               bigint NOT NULL CHECK (voted_cents >= 0),
    allowances_envelope_cents bigint CHECK (allowances_envelope_cents >= 0),
    updated_at                timestamptz NOT NULL,
    updated_by                text,
    PRIMARY KEY (collectivite_siren, year)
);
