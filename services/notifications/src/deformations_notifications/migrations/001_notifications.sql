-- One row per (event, recipient, channel): the dedup key is its digest, so a redelivered
-- event can never give a second notification.
CREATE TABLE notifications (
    id            uuid PRIMARY KEY,
    dedup_key     text NOT NULL UNIQUE,
    event_source  text NOT NULL,
    event_id      text NOT NULL,
    event_type    text NOT NULL,
    recipient_id  text NOT NULL,
    channel       text NOT NULL,
    status        text NOT NULL DEFAULT 'pending'
                  CHECK (status IN ('pending', 'sent', 'failed', 'skipped')),
    payload       jsonb NOT NULL,
    created_at    timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX notifications_recipient ON notifications (recipient_id);
CREATE INDEX notifications_pending ON notifications (created_at) WHERE status = 'pending';
