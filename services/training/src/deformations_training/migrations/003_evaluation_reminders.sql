-- A questionnaire still unanswered some time after it was announced is announced once
-- more (a reminder): when that happened.
ALTER TABLE evaluations ADD COLUMN reminded_at timestamptz;
CREATE INDEX evaluations_to_remind ON evaluations (notified_at)
    WHERE answered_at IS NULL AND reminded_at IS NULL AND notified_at IS NOT NULL;
