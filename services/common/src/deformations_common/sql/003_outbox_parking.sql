-- An event the broker could not route (no queue bound yet) or failed to confirm waits
-- until not_before, so it never holds back the events behind it.
ALTER TABLE outbox ADD COLUMN not_before timestamptz;
CREATE INDEX outbox_due ON outbox (seq) INCLUDE (not_before);
