-- The log of the topics a café cycle discussed, written by its pairs and organisers.
CREATE TABLE cafe_topics (
    topic_id     uuid PRIMARY KEY,
    cycle_id     uuid NOT NULL REFERENCES cafe_cycles (cycle_id) ON DELETE CASCADE,
    person_id    text NOT NULL,
    discussed_on date NOT NULL,
    topic        text NOT NULL,
    created_at   timestamptz NOT NULL
);
CREATE INDEX cafe_topics_cycle ON cafe_topics (cycle_id, discussed_on, created_at);
