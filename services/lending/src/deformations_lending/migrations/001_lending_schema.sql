-- Lending service schema (PostgreSQL 15). Unqualified names: the migration runner sets
-- search_path to the service's own schema. The runtime owns outbox, inbox and
-- schema_migrations.
--
-- The invariants of the domain are enforced here too, so that they hold under concurrent
-- requests whatever the application code does:
--   * an offer's half-days are never over-committed: offers.committed_half_days is moved
--     by a trigger when a loan is agreed or ends, and a CHECK bounds it by the capacity;
--     the UPDATE takes the offer's row lock, so concurrent agreements serialise;
--   * a loan never has more live sessions than its half-days (same pattern on loans);
--   * an agent is never booked twice on the same half-day: partial UNIQUE index;
--   * a withdrawn offer keeps no future unconfirmed session and gets no new one;
--   * the ledger is double-entry: every transaction sums to zero (deferred check).

CREATE TABLE collectivites (
    -- Reference data (COG): names for documents and the EPCI for balances.
    siren       char(9) PRIMARY KEY CHECK (siren ~ '^[0-9]{9}$'),
    name        text NOT NULL CHECK (name <> ''),
    kind        text NOT NULL DEFAULT 'commune',
    insee_code  text CHECK (insee_code ~ '^([0-9]{2}|2A|2B)[0-9]{3}$'),
    departement text,
    epci_siren  char(9) CHECK (epci_siren ~ '^[0-9]{9}$')
);
CREATE INDEX collectivites_epci ON collectivites (epci_siren);

CREATE TABLE offers (
    id                    uuid PRIMARY KEY,
    lender_siren          char(9) NOT NULL CHECK (lender_siren ~ '^[0-9]{9}$'),
    theme                 text NOT NULL CHECK (theme ~ '^[a-z][a-z0-9_]{1,39}$'),
    description           text NOT NULL CHECK (length(description) BETWEEN 1 AND 2000),
    agent_role            text NOT NULL CHECK (length(agent_role) BETWEEN 1 AND 200),
    -- The lender's opaque reference of the agent (never a name): the key of bookings.
    agent_ref             text NOT NULL CHECK (length(agent_ref) BETWEEN 1 AND 200),
    visibility            text NOT NULL CHECK (visibility IN ('visible', 'invisible')),
    capacity_half_days    integer NOT NULL CHECK (capacity_half_days > 0),
    committed_half_days   integer NOT NULL DEFAULT 0,
    period_start          date NOT NULL,
    period_end            date NOT NULL,
    -- Weekly half-days as '<weekday 0-6>:<am|pm>', e.g. {1:am,3:pm}.
    possible_half_days    text[] NOT NULL,
    modality              text NOT NULL CHECK (modality IN ('on_site', 'remote', 'either')),
    reimbursement         text NOT NULL
        CHECK (reimbursement IN ('full_salary', 'flat_rate', 'expenses_only', 'none')),
    reimbursement_details text NOT NULL DEFAULT '',
    status                text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'withdrawn')),
    withdrawal_reason     text,
    published_at          timestamptz NOT NULL,
    withdrawn_at          timestamptz,
    version               integer NOT NULL DEFAULT 1,
    CONSTRAINT offers_period CHECK (period_end >= period_start),
    CONSTRAINT offers_not_overcommitted
        CHECK (committed_half_days BETWEEN 0 AND capacity_half_days),
    CONSTRAINT offers_possible_half_days CHECK (
        cardinality(possible_half_days) > 0
        AND array_to_string(possible_half_days, ',') ~ '^[0-6]:(am|pm)(,[0-6]:(am|pm))*$'
    ),
    CONSTRAINT offers_withdrawal CHECK (
        (status = 'withdrawn') = (withdrawn_at IS NOT NULL AND withdrawal_reason IS NOT NULL)
    )
);
CREATE INDEX offers_browse ON offers (theme, period_end) WHERE status = 'open';
CREATE INDEX offers_lender ON offers (lender_siren);

CREATE TABLE skill_requests (
    id                 uuid PRIMARY KEY,
    requester_siren    char(9) NOT NULL CHECK (requester_siren ~ '^[0-9]{9}$'),
    theme              text NOT NULL CHECK (theme ~ '^[a-z][a-z0-9_]{1,39}$'),
    need               text NOT NULL CHECK (length(need) BETWEEN 1 AND 2000),
    period_start       date NOT NULL,
    period_end         date NOT NULL,
    half_days          integer NOT NULL CHECK (half_days > 0),
    possible_half_days text[] NOT NULL DEFAULT '{}',
    modality           text NOT NULL CHECK (modality IN ('on_site', 'remote', 'either')),
    status             text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'withdrawn')),
    withdrawal_reason  text,
    published_at       timestamptz NOT NULL,
    withdrawn_at       timestamptz,
    version            integer NOT NULL DEFAULT 1,
    CONSTRAINT skill_requests_period CHECK (period_end >= period_start),
    CONSTRAINT skill_requests_withdrawal CHECK ((status = 'withdrawn') = (withdrawn_at IS NOT NULL))
);
CREATE INDEX skill_requests_browse ON skill_requests (theme, period_end) WHERE status = 'open';
CREATE INDEX skill_requests_requester ON skill_requests (requester_siren);

CREATE TABLE match_proposals (
    -- Read model of match.proposed.v1 (need↔offer matches shown to borrowers).
    match_id    uuid PRIMARY KEY,
    offer_id    uuid NOT NULL,
    request_id  uuid NOT NULL,
    score       double precision NOT NULL,
    reasons     jsonb NOT NULL DEFAULT '[]',
    proposed_at timestamptz NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX match_proposals_request ON match_proposals (request_id);

CREATE TABLE loans (
    id                  uuid PRIMARY KEY,
    offer_id            uuid NOT NULL REFERENCES offers (id),
    request_id          uuid REFERENCES skill_requests (id),
    -- One loan per match proposal: a redelivered match.proposed.v1 creates nothing new.
    match_id            uuid UNIQUE,
    lender_siren        char(9) NOT NULL,
    borrower_siren      char(9) NOT NULL CHECK (borrower_siren ~ '^[0-9]{9}$'),
    agent_ref           text NOT NULL,
    agent_role          text NOT NULL,
    theme               text NOT NULL,
    scope               text NOT NULL CHECK (length(scope) BETWEEN 1 AND 2000),
    half_days           integer NOT NULL CHECK (half_days > 0),
    -- Live (not cancelled) sessions, moved by trigger; bounded by half_days.
    live_half_days      integer NOT NULL DEFAULT 0,
    period_start        date NOT NULL,
    period_end          date NOT NULL,
    possible_half_days  text[] NOT NULL,
    modality            text NOT NULL CHECK (modality IN ('on_site', 'remote', 'either')),
    origin              text NOT NULL CHECK (origin IN ('match', 'borrower')),
    status              text NOT NULL DEFAULT 'proposed' CHECK (
        status IN ('proposed', 'accepted', 'agreed', 'completed', 'declined', 'cancelled')
    ),
    proposed_at         timestamptz NOT NULL,
    elected_approved_at timestamptz,
    elected_approved_by text,  -- person id (pseudonymous), erased on request
    hr_approved_at      timestamptz,
    hr_approved_by      text,
    agent_consented_at  timestamptz,
    agreed_at           timestamptz,
    ended_at            timestamptz,
    end_reason          text,
    version             integer NOT NULL DEFAULT 1,
    UNIQUE (id, agent_ref),
    CONSTRAINT loans_two_parties CHECK (lender_siren <> borrower_siren),
    CONSTRAINT loans_period CHECK (period_end >= period_start),
    CONSTRAINT loans_sessions_within_half_days CHECK (live_half_days BETWEEN 0 AND half_days),
    -- Agreed means: the lender's elected official, its HR and the agent all said yes.
    CONSTRAINT loans_agreed_needs_approvals CHECK (
        status NOT IN ('agreed', 'completed')
        OR (elected_approved_at IS NOT NULL AND hr_approved_at IS NOT NULL
            AND agent_consented_at IS NOT NULL AND agreed_at IS NOT NULL)
    ),
    CONSTRAINT loans_approvals_after_acceptance CHECK (
        status <> 'proposed'
        OR (elected_approved_at IS NULL AND hr_approved_at IS NULL AND agent_consented_at IS NULL)
    ),
    CONSTRAINT loans_end_has_reason CHECK (
        (status IN ('declined', 'cancelled')) = (end_reason IS NOT NULL)
    ),
    CONSTRAINT loans_ended CHECK (
        (status IN ('completed', 'declined', 'cancelled')) = (ended_at IS NOT NULL)
    )
);
CREATE INDEX loans_offer ON loans (offer_id);
CREATE INDEX loans_lender ON loans (lender_siren, status);
CREATE INDEX loans_borrower ON loans (borrower_siren, status);

CREATE TABLE ledger_transactions (
    id          uuid PRIMARY KEY,
    loan_id     uuid NOT NULL REFERENCES loans (id),
    session_id  uuid NOT NULL UNIQUE,  -- a held half-day moves time once
    occurred_at timestamptz NOT NULL
);

CREATE TABLE sessions (
    id                    uuid PRIMARY KEY,
    loan_id               uuid NOT NULL,
    agent_ref             text NOT NULL,
    day                   date NOT NULL,
    part                  text NOT NULL CHECK (part IN ('am', 'pm')),
    status                text NOT NULL DEFAULT 'scheduled'
        CHECK (status IN ('scheduled', 'confirmed', 'held', 'cancelled')),
    ledger_transaction_id uuid REFERENCES ledger_transactions (id),
    cancellation_reason   text,
    created_at            timestamptz NOT NULL DEFAULT now(),
    updated_at            timestamptz NOT NULL DEFAULT now(),
    -- The booked agent is the loan's agent: the booking key cannot drift from the loan.
    FOREIGN KEY (loan_id, agent_ref) REFERENCES loans (id, agent_ref),
    CONSTRAINT sessions_held_in_ledger
        CHECK ((status = 'held') = (ledger_transaction_id IS NOT NULL)),
    CONSTRAINT sessions_cancel_reason
        CHECK ((status = 'cancelled') = (cancellation_reason IS NOT NULL))
);
-- An agent is never booked twice on the same half-day (cancelled sessions free it).
CREATE UNIQUE INDEX sessions_agent_half_day ON sessions (agent_ref, day, part)
    WHERE status <> 'cancelled';
CREATE INDEX sessions_loan ON sessions (loan_id);

CREATE TABLE ledger_entries (
    id             bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    transaction_id uuid NOT NULL REFERENCES ledger_transactions (id),
    siren          char(9) NOT NULL CHECK (siren ~ '^[0-9]{9}$'),
    -- > 0: time lent, < 0: time borrowed.
    minutes        integer NOT NULL CHECK (minutes <> 0),
    UNIQUE (transaction_id, siren)
);
CREATE INDEX ledger_entries_siren ON ledger_entries (siren);

CREATE TABLE feedback_responses (
    loan_id      uuid NOT NULL REFERENCES loans (id),
    respondent   text NOT NULL CHECK (respondent IN ('borrower', 'lender', 'agent')),
    answers      jsonb NOT NULL CHECK (jsonb_typeof(answers) = 'object'),
    submitted_at timestamptz NOT NULL,
    PRIMARY KEY (loan_id, respondent)
);

-- Start of a half-day in French local time (09:00 or 14:00), as in the domain.
CREATE FUNCTION half_day_start(d date, p text) RETURNS timestamptz
    LANGUAGE sql IMMUTABLE PARALLEL SAFE
    RETURN (d + CASE p WHEN 'am' THEN time '09:00' ELSE time '14:00' END)
        AT TIME ZONE 'Europe/Paris';

-- Offers: commit half-days when a loan is agreed, give back the unused ones when it ends.
CREATE FUNCTION loans_move_offer_commitment() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    held integer;
BEGIN
    IF NEW.status = 'agreed' AND OLD.status IS DISTINCT FROM 'agreed' THEN
        UPDATE offers SET committed_half_days = committed_half_days + NEW.half_days
            WHERE id = NEW.offer_id AND status = 'open';
        IF NOT FOUND THEN
            RAISE EXCEPTION 'offer % is withdrawn: loan % cannot be agreed', NEW.offer_id, NEW.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'offers_open_for_agreement';
        END IF;
    ELSIF OLD.status = 'agreed' AND NEW.status IN ('completed', 'cancelled') THEN
        SELECT count(*) INTO held FROM sessions WHERE loan_id = NEW.id AND status = 'held';
        UPDATE offers SET committed_half_days = committed_half_days - (NEW.half_days - held)
            WHERE id = NEW.offer_id;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER loans_offer_commitment AFTER UPDATE OF status ON loans
    FOR EACH ROW EXECUTE FUNCTION loans_move_offer_commitment();

CREATE FUNCTION loans_agreed_on_insert() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status NOT IN ('proposed', 'accepted', 'declined', 'cancelled') THEN
        RAISE EXCEPTION 'a loan is created proposed and agreed by update'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'loans_created_proposed';
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER loans_created_proposed BEFORE INSERT ON loans
    FOR EACH ROW EXECUTE FUNCTION loans_agreed_on_insert();

-- Sessions: count live sessions on the loan; only an agreed loan of an open offer gets new
-- ones. FOR SHARE on the offer serialises a booking against a concurrent withdrawal.
CREATE FUNCTION sessions_count_live() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    was_live boolean := TG_OP = 'UPDATE' AND OLD.status <> 'cancelled';
    is_live boolean := NEW.status <> 'cancelled';
    offer_status text;
BEGIN
    IF is_live AND NOT was_live THEN
        SELECT o.status INTO offer_status FROM loans l JOIN offers o ON o.id = l.offer_id
            WHERE l.id = NEW.loan_id FOR SHARE OF o;
        IF offer_status IS DISTINCT FROM 'open' THEN
            RAISE EXCEPTION 'the offer of loan % is withdrawn: no new session', NEW.loan_id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'sessions_offer_open';
        END IF;
        UPDATE loans SET live_half_days = live_half_days + 1
            WHERE id = NEW.loan_id AND status = 'agreed';
        IF NOT FOUND THEN
            RAISE EXCEPTION 'loan % is not agreed: no session can be booked', NEW.loan_id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'sessions_loan_agreed';
        END IF;
    ELSIF was_live AND NOT is_live THEN
        UPDATE loans SET live_half_days = live_half_days - 1 WHERE id = NEW.loan_id;
    END IF;
    RETURN NEW;
END
$$;
CREATE TRIGGER sessions_live_count AFTER INSERT OR UPDATE OF status ON sessions
    FOR EACH ROW EXECUTE FUNCTION sessions_count_live();

-- A withdrawn offer keeps no future unconfirmed session (checked at commit, so the
-- application may cancel the sessions before or after marking the offer withdrawn).
CREATE FUNCTION offers_check_withdrawal() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.status = 'withdrawn' AND EXISTS (
        SELECT 1 FROM sessions s JOIN loans l ON l.id = s.loan_id
        WHERE l.offer_id = NEW.id AND s.status = 'scheduled'
          AND half_day_start(s.day, s.part) > NEW.withdrawn_at
    ) THEN
        RAISE EXCEPTION 'offer % is withdrawn but keeps future unconfirmed sessions', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'offers_withdrawal_cancels_sessions';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER offers_withdrawal_cancels_sessions AFTER UPDATE OF status ON offers
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.status = 'withdrawn')
    EXECUTE FUNCTION offers_check_withdrawal();

-- Ledger: every transaction has at least two entries summing to zero, checked at commit;
-- entries are never changed or removed once written.
CREATE FUNCTION ledger_check_balanced() RETURNS trigger
    LANGUAGE plpgsql AS $$
DECLARE
    total bigint;
    entries integer;
BEGIN
    SELECT coalesce(sum(minutes), 0), count(*) INTO total, entries
        FROM ledger_entries WHERE transaction_id = NEW.transaction_id;
    IF total <> 0 OR entries < 2 THEN
        RAISE EXCEPTION 'ledger transaction % is unbalanced (% entries, sum %)',
            NEW.transaction_id, entries, total
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_transaction_balanced';
    END IF;
    RETURN NULL;
END
$$;
CREATE CONSTRAINT TRIGGER ledger_transaction_balanced AFTER INSERT ON ledger_entries
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION ledger_check_balanced();

CREATE FUNCTION ledger_append_only() RETURNS trigger
    LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger entries are append-only'
        USING ERRCODE = 'check_violation', CONSTRAINT = 'ledger_append_only';
END
$$;
CREATE TRIGGER ledger_entries_append_only BEFORE UPDATE OR DELETE ON ledger_entries
    FOR EACH ROW EXECUTE FUNCTION ledger_append_only();

-- Balances: who lends and who borrows (minutes; > 0 lends more than it borrows).
CREATE VIEW ledger_balances AS
    SELECT siren, sum(minutes)::bigint AS minutes FROM ledger_entries GROUP BY siren;

CREATE VIEW ledger_balances_by_epci AS
    SELECT c.epci_siren, sum(e.minutes)::bigint AS minutes
    FROM ledger_entries e LEFT JOIN collectivites c ON c.siren = e.siren
    GROUP BY c.epci_siren;
