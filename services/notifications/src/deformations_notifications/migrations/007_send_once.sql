-- Send once: a mail is recorded as 'sending' (with its stable Message-ID) before it is
-- handed to SMTP, so a sender that dies leaves at most that mail in doubt, not a batch.
-- claimed_until leases rows claimed for a round but not handed over yet.
ALTER TABLE notifications DROP CONSTRAINT notifications_status_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_status_check
    CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'skipped'));
ALTER TABLE notifications
    ADD COLUMN message_id      text,
    ADD COLUMN handed_over_at  timestamptz,
    ADD COLUMN handovers       integer NOT NULL DEFAULT 0,
    ADD COLUMN claimed_until   timestamptz;
CREATE INDEX notifications_sending ON notifications (handed_over_at) WHERE status = 'sending';
