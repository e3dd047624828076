-- Sessions can be moved and cancelled: who organised them may change them, and the last
-- published state (the event's data) is kept so that a change republishes the full state
-- with a higher sequence, as iCalendar's SEQUENCE requires. Sessions planned before this
-- migration have no organiser nor state: only an operator could act, and they stay as is.
ALTER TABLE sessions
    ADD COLUMN organiser    text,
    ADD COLUMN state        jsonb,
    ADD COLUMN sequence     integer NOT NULL DEFAULT 0,
    ADD COLUMN cancelled_at timestamptz;
CREATE INDEX sessions_organiser ON sessions (organiser);
