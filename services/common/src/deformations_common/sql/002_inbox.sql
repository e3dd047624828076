-- Events already handled, per subscription: a redelivery finds its key and has no effect.
CREATE TABLE inbox (
    subscription text NOT NULL,
    source       text NOT NULL,
    event_id     text NOT NULL,
    handled_at   timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subscription, source, event_id)
);
CREATE INDEX inbox_handled_at ON inbox (handled_at);
