-- The review of a café cycle after three months: each participant's own answers, which the
-- others see (aggregated) only once she shares them.
CREATE TABLE cafe_reviews (
    cycle_id    uuid NOT NULL REFERENCES cafe_cycles (cycle_id) ON DELETE CASCADE,
    person_id   text NOT NULL,
    scores      jsonb NOT NULL,
    free_text   text,
    shared      boolean NOT NULL,
    share_text  boolean NOT NULL,
    answered_at timestamptz NOT NULL,
    PRIMARY KEY (cycle_id, person_id)
);
