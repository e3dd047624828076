-- What the HTTP API and the events need beyond the domain's schema.

-- People around a loan (pseudonymous person ids, the `sub` of their token; nulled on
-- person.erasure_requested.v1). The agent is named by HR when recording the consent.
ALTER TABLE loans
    ADD COLUMN agent_person_id text,
    ADD COLUMN accepted_by text;

-- What a session event carries besides the half-day: iCalendar's SEQUENCE, the place.
ALTER TABLE sessions
    ADD COLUMN sequence integer NOT NULL DEFAULT 0 CHECK (sequence >= 0),
    ADD COLUMN remote boolean NOT NULL DEFAULT false,
    ADD COLUMN place_label text CHECK (length(place_label) BETWEEN 3 AND 200);

-- A grouped offer proposes one offer to several requests under one proposal id: a loan
-- is unique per (proposal, request), not per proposal.
ALTER TABLE loans DROP CONSTRAINT loans_match_id_key;
ALTER TABLE loans ADD CONSTRAINT loans_match_request UNIQUE (match_id, request_id);

-- Read model of match.proposed.v1 (need_offer and grouped_offer): one row per request, so
-- each borrower sees its own proposals. Offers and requests may be unknown here (events
-- out of order): nothing references them.
DROP TABLE match_proposals;
CREATE TABLE proposals (
    proposal_id    uuid NOT NULL,
    request_id     uuid NOT NULL,
    borrower_siren char(9) NOT NULL CHECK (borrower_siren ~ '^[0-9]{9}$'),
    offer_id       uuid NOT NULL,
    lender_siren   char(9) NOT NULL CHECK (lender_siren ~ '^[0-9]{9}$'),
    kind           text NOT NULL CHECK (kind IN ('need_offer', 'grouped_offer')),
    theme          text,
    score          double precision NOT NULL,
    reasons        jsonb NOT NULL DEFAULT '[]',
    proposed_at    timestamptz NOT NULL,
    expires_at     timestamptz,
    received_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (proposal_id, request_id)
);
CREATE INDEX proposals_borrower ON proposals (borrower_siren, proposed_at DESC);
