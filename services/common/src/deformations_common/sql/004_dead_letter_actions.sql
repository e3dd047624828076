-- What operators did to dead letters (re-drive, discard): one row per message, never
-- updated nor deleted, so the trail survives any mistake made with the tools.
CREATE TABLE dead_letter_actions (
    id          bigserial PRIMARY KEY,
    action_id   uuid NOT NULL,
    action      text NOT NULL CHECK (action IN ('redrive', 'discard')),
    operator    text NOT NULL CHECK (operator <> ''),
    queue       text NOT NULL,
    ce_id       text,
    ce_type     text,
    ce_source   text,
    error_kind  text,
    acted_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX dead_letter_actions_ce_id ON dead_letter_actions (ce_id);

CREATE FUNCTION dead_letter_actions_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'dead_letter_actions is append-only';
END $$;
CREATE TRIGGER dead_letter_actions_append_only
    BEFORE UPDATE OR DELETE OR TRUNCATE ON dead_letter_actions
    FOR EACH STATEMENT EXECUTE FUNCTION dead_letter_actions_append_only();
