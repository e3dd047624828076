-- An operator may hide an offer or a request with a reason: it leaves public lists and
-- can no longer lead to a new loan; its collectivité still sees it with the reason.
-- Hidden again or shown, the latest decision stands (the history is the portal's journal).
ALTER TABLE offers
    ADD COLUMN hidden_reason text CHECK (length(hidden_reason) BETWEEN 3 AND 300),
    ADD COLUMN hidden_at timestamptz,
    ADD CONSTRAINT offers_hidden CHECK ((hidden_reason IS NULL) = (hidden_at IS NULL));
ALTER TABLE skill_requests
    ADD COLUMN hidden_reason text CHECK (length(hidden_reason) BETWEEN 3 AND 300),
    ADD COLUMN hidden_at timestamptz,
    ADD CONSTRAINT skill_requests_hidden CHECK ((hidden_reason IS NULL) = (hidden_at IS NULL));
-- The operators' queue: the newest texts first.
CREATE INDEX offers_recent ON offers (published_at DESC, id);
CREATE INDEX skill_requests_recent ON skill_requests (published_at DESC, id);
