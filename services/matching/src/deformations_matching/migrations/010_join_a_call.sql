-- Joining someone's appel à pairs: the joiner's own call, on its theme, points to it; its
-- group recruits them first. One join per person and call (a second join is the same one).
ALTER TABLE peer_calls ADD COLUMN joins uuid REFERENCES peer_calls (call_id) ON DELETE CASCADE;
CREATE UNIQUE INDEX peer_calls_one_join ON peer_calls (joins, person_id) WHERE joins IS NOT NULL;
