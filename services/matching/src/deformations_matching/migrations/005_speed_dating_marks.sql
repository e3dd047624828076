-- After a speed-dating evening, whom each participant would like to see again; the mutual
-- marks (« atomes crochus ») are shown to both and nobody sees one-sided marks.
CREATE TABLE speed_dating_marks (
    gathering_id uuid NOT NULL REFERENCES speed_datings (gathering_id) ON DELETE CASCADE,
    person_id    text NOT NULL,
    see_again    text[] NOT NULL,
    marked_at    timestamptz NOT NULL,
    PRIMARY KEY (gathering_id, person_id)
);
