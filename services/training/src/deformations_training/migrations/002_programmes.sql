-- Programmes: a recipe of the booklet run step by step with a group (issue 15).
--
-- A programme is one aggregate (participants, step states, sessions, material, closing
-- reviews) changed only through its domain methods, under its row lock (FOR UPDATE);
-- it is stored as one JSON document beside the columns that are queried. The carnet de
-- bord's entries are rows of their own: they are private to their author, and every
-- query of them filters on the reader (author, or the coach of a shared entry).

CREATE TABLE programmes (
    id               uuid PRIMARY KEY,
    recipe_code      text NOT NULL CHECK (recipe_code ~ '^t(0[1-9]|1[01])_[a-z0-9_]{2,35}$'),
    territory_siren  char(9) NOT NULL CHECK (territory_siren ~ '^[0-9]{9}$'),
    facilitator_id   text NOT NULL CHECK (length(facilitator_id) BETWEEN 1 AND 128),
    status           text NOT NULL CHECK (status IN ('running', 'closed')),
    started_at       timestamptz NOT NULL,
    closed_at        timestamptz,
    state            jsonb NOT NULL,
    CONSTRAINT programmes_closed_has_date CHECK ((status = 'closed') = (closed_at IS NOT NULL))
);

CREATE INDEX programmes_by_facilitator ON programmes (facilitator_id);

-- Who is in which programme (invited, accepted or declined), for « my programmes ».
CREATE TABLE programme_people (
    programme_id  uuid NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    person_id     text NOT NULL,
    status        text NOT NULL CHECK (status IN ('invited', 'accepted', 'declined')),
    PRIMARY KEY (programme_id, person_id)
);

CREATE INDEX programme_people_by_person ON programme_people (person_id);

-- Which programme session was announced, and with which iCalendar sequence.
CREATE TABLE programme_sessions_announced (
    session_id    uuid PRIMARY KEY,
    programme_id  uuid NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    sequence      integer NOT NULL CHECK (sequence >= 0)
);

CREATE TABLE carnet_entries (
    id            uuid PRIMARY KEY,
    programme_id  uuid NOT NULL REFERENCES programmes (id) ON DELETE CASCADE,
    author_id     text NOT NULL CHECK (length(author_id) BETWEEN 1 AND 128),
    kind          text NOT NULL CHECK (kind IN ('resource', 'situation', 'note', 'module')),
    title         text NOT NULL CHECK (length(title) BETWEEN 3 AND 200),
    body          text NOT NULL CHECK (length(body) <= 20000),
    tags          text[] NOT NULL DEFAULT '{}' CHECK (cardinality(tags) <= 12),
    offer_id      uuid,
    url           text,
    created_at    timestamptz NOT NULL,
    updated_at    timestamptz NOT NULL,
    shared_at     timestamptz,
    CONSTRAINT carnet_entries_module_has_offer CHECK (kind <> 'module' OR offer_id IS NOT NULL)
);

CREATE INDEX carnet_entries_by_author ON carnet_entries (programme_id, author_id);
CREATE INDEX carnet_entries_shared ON carnet_entries (programme_id) WHERE shared_at IS NOT NULL;

-- The non-conférence's open space (contributions, frame, proposals and votes, agenda,
-- notes, demonstrators): one document per programme, changed under the programme's lock.
CREATE TABLE open_spaces (
    programme_id  uuid PRIMARY KEY REFERENCES programmes (id) ON DELETE CASCADE,
    state         jsonb NOT NULL
);

-- The boussole de la participation: surveyed collectivités, their dispositifs on the
-- ambition × effort grid, roadmaps and follow-up; one document per programme.
CREATE TABLE boussoles (
    programme_id  uuid PRIMARY KEY REFERENCES programmes (id) ON DELETE CASCADE,
    state         jsonb NOT NULL
);

-- Les élus enquêteurs: question, guide, field list with interview notes, learnings.
CREATE TABLE enquetes (
    programme_id  uuid PRIMARY KEY REFERENCES programmes (id) ON DELETE CASCADE,
    state         jsonb NOT NULL
);
