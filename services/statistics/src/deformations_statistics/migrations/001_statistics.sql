-- Statistics service schema (PostgreSQL 15). The runtime owns outbox, inbox and
-- schema_migrations; the migration runner sets search_path to the service's schema.
--
-- One row per contribution (a diagnosis, a theme chosen, a campaign, a loan, a meeting, an
-- enrolment), keyed by the thing it counts, so an event handled again, or a later event
-- about the same thing, replaces its row. No person is named here: the place is the
-- commune, and every view applies k >= 3 when it reads.

CREATE TABLE facts (
    indicator       text NOT NULL,
    key             text NOT NULL CHECK (length(key) BETWEEN 1 AND 200),
    category        text NOT NULL CHECK (length(category) BETWEEN 1 AND 100),
    category_label  text CHECK (length(category_label) <= 200),
    commune_insee   char(5) NOT NULL,
    region          text NOT NULL,
    departement     text NOT NULL,
    epci            text NOT NULL,
    size            text NOT NULL,
    value           integer NOT NULL CHECK (value >= 0),
    recorded_at     timestamptz NOT NULL,
    PRIMARY KEY (indicator, key)
);

CREATE INDEX facts_by_indicator ON facts (indicator, commune_insee, category);
