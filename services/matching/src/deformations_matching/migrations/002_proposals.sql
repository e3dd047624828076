-- What matching proposed and planned; the payload is the event as published.
CREATE TABLE proposals (
    proposal_id uuid PRIMARY KEY,
    kind        text NOT NULL,
    score       double precision NOT NULL,
    request_ids uuid[] NOT NULL DEFAULT '{}',
    offer_id    uuid,
    sirens      text[] NOT NULL DEFAULT '{}',
    members     text[] NOT NULL DEFAULT '{}',
    round_id    uuid,
    payload     jsonb NOT NULL,
    proposed_at timestamptz NOT NULL
);
CREATE INDEX proposals_sirens ON proposals USING gin (sirens);
CREATE INDEX proposals_members ON proposals USING gin (members);
CREATE INDEX proposals_requests ON proposals USING gin (request_ids);

-- Rounds of the global re-match: who was left unserved gets priority next time.
CREATE TABLE rematch_rounds (
    round_id     uuid PRIMARY KEY,
    ran_at       timestamptz NOT NULL,
    requests     integer NOT NULL,
    allocations  integer NOT NULL,
    emitted      integer NOT NULL,
    grouped      integer NOT NULL,
    unserved_ids uuid[] NOT NULL
);

-- Appels à pairs and the groupes d'entraide formed from them.
CREATE TABLE peer_calls (
    call_id       uuid PRIMARY KEY,
    person_id     text NOT NULL,
    theme         text NOT NULL,
    problem       text NOT NULL,
    anonymous     boolean NOT NULL,
    commune_insee text,
    family        text NOT NULL,
    axes          double precision[] NOT NULL,
    time_slots    text[] NOT NULL,
    modality      text NOT NULL,
    in_network    boolean NOT NULL,
    status        text NOT NULL CHECK (status IN ('open', 'grouped')),
    created_at    timestamptz NOT NULL
);
CREATE INDEX peer_calls_open ON peer_calls (theme) WHERE status = 'open';

CREATE TABLE peer_groups (
    group_id    uuid PRIMARY KEY,
    call_id     uuid NOT NULL REFERENCES peer_calls (call_id) ON DELETE CASCADE,
    theme       text NOT NULL,
    anonymous   boolean NOT NULL,
    min_size    integer NOT NULL,
    slots       text[] NOT NULL,
    modalities  text[] NOT NULL,
    reasons     text[] NOT NULL,
    scheduled   boolean NOT NULL DEFAULT false,
    -- Too many declines: the group is given up and its members are free again.
    closed      boolean NOT NULL DEFAULT false,
    created_at  timestamptz NOT NULL
);

CREATE TABLE peer_group_members (
    group_id  uuid NOT NULL REFERENCES peer_groups (group_id) ON DELETE CASCADE,
    person_id text NOT NULL,
    answer    text NOT NULL CHECK (answer IN ('pending', 'accepted', 'declined')),
    PRIMARY KEY (group_id, person_id)
);
CREATE INDEX peer_group_members_person ON peer_group_members (person_id);

-- Café élus/techniciens cycles; the pairs of the last cycle are the rotation memory.
CREATE TABLE cafe_cycles (
    cycle_id           uuid PRIMARY KEY,
    collectivite_siren text NOT NULL,
    first_day          date NOT NULL,
    plan               jsonb NOT NULL,
    created_at         timestamptz NOT NULL
);
CREATE INDEX cafe_cycles_siren ON cafe_cycles (collectivite_siren, created_at DESC);

CREATE TABLE cafe_pairs (
    cycle_id      uuid NOT NULL REFERENCES cafe_cycles (cycle_id) ON DELETE CASCADE,
    elu_id        text NOT NULL,
    technician_id text NOT NULL,
    PRIMARY KEY (cycle_id, elu_id)
);

-- Speed-dating plans of gatherings, with their audit log.
CREATE TABLE speed_datings (
    gathering_id uuid PRIMARY KEY,
    epci_siren   text NOT NULL,
    seed         bigint NOT NULL,
    plan         jsonb NOT NULL,
    created_at   timestamptz NOT NULL
);
CREATE INDEX speed_datings_epci ON speed_datings (epci_siren);

-- Sessions matching scheduled (peer groups, cafés, speed-dating rounds).
CREATE TABLE sessions (
    session_id   uuid PRIMARY KEY,
    kind         text NOT NULL,
    related_id   uuid NOT NULL,
    starts_at    timestamptz NOT NULL,
    ends_at      timestamptz NOT NULL,
    participants text[] NOT NULL
);
CREATE INDEX sessions_related ON sessions (related_id, starts_at);
CREATE INDEX sessions_participants ON sessions USING gin (participants);
