-- A recipient may report a relayed conversation as abusive (from the link of the mail);
-- operators read the reports and may block a sender, whose messages the relay then refuses.
CREATE TABLE relay_reports (
    id          uuid PRIMARY KEY,
    thread_id   text NOT NULL REFERENCES relay_threads ON DELETE CASCADE,
    reporter    text NOT NULL,
    reported    text NOT NULL,
    reason      text NOT NULL,
    created_at  timestamptz NOT NULL,
    -- Set once an operator blocked the sender or dismissed the report.
    closed_at   timestamptz,
    outcome     text CHECK (outcome IN ('blocked', 'dismissed'))
);
CREATE INDEX relay_reports_open ON relay_reports (created_at) WHERE closed_at IS NULL;
CREATE INDEX relay_reports_reported ON relay_reports (reported);

CREATE TABLE relay_blocked_senders (
    person_id   text PRIMARY KEY,
    reason      text NOT NULL,
    blocked_by  text NOT NULL,
    blocked_at  timestamptz NOT NULL
);
