-- An operator may hide an appel à pairs with a reason: it leaves public lists and
-- recruitment, its author still sees it with the reason. Hidden again or shown, the
-- latest decision stands (the history is the portal's operator journal).
ALTER TABLE peer_calls ADD COLUMN hidden_reason text, ADD COLUMN hidden_at timestamptz;
CREATE INDEX peer_calls_recent ON peer_calls (created_at DESC, call_id);
