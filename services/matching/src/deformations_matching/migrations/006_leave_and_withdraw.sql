-- A member may leave a peer group (a replacement is recruited below four), and the author
-- of an appel à pairs may withdraw it.
ALTER TABLE peer_calls DROP CONSTRAINT peer_calls_status_check,
    ADD CONSTRAINT peer_calls_status_check CHECK (status IN ('open', 'grouped', 'withdrawn'));
ALTER TABLE peer_group_members DROP CONSTRAINT peer_group_members_answer_check,
    ADD CONSTRAINT peer_group_members_answer_check
        CHECK (answer IN ('pending', 'accepted', 'declined', 'left'));
