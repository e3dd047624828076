-- What the sender needs per notification. send_at NULL: the person has not registered
-- yet; the notification waits for their registration.
ALTER TABLE notifications
    ADD COLUMN template        text,
    ADD COLUMN item_key        text,
    ADD COLUMN occurred_at     timestamptz NOT NULL DEFAULT clock_timestamp(),
    ADD COLUMN send_at         timestamptz,
    ADD COLUMN batched         boolean NOT NULL DEFAULT false,
    ADD COLUMN attempts        integer NOT NULL DEFAULT 0,
    ADD COLUMN next_attempt_at timestamptz,
    ADD COLUMN last_error      text,
    ADD COLUMN skip_reason     text,
    ADD COLUMN sent_at         timestamptz,
    ADD COLUMN digest_id       uuid;
CREATE INDEX notifications_due ON notifications (send_at) WHERE status = 'pending';

-- The only place with contact details.
CREATE TABLE recipients (
    person_id         text PRIMARY KEY,
    email             text NOT NULL,
    language          text NOT NULL DEFAULT 'fr',
    channels          text[] NOT NULL,
    quiet_start       time,
    quiet_end         time,
    timezone          text NOT NULL DEFAULT 'Europe/Paris',
    digest_frequency  text NOT NULL DEFAULT 'immediate',
    digest_time       time NOT NULL DEFAULT '08:00',
    digest_weekday    smallint NOT NULL DEFAULT 0,
    consent_given_at  timestamptz,
    consent_wording   text,
    unsubscribed_at   timestamptz,
    muted             text[] NOT NULL DEFAULT '{}',
    created_at        timestamptz NOT NULL DEFAULT clock_timestamp(),
    updated_at        timestamptz NOT NULL DEFAULT clock_timestamp()
);

-- The collectivités a person registered for (from the authority of their token).
CREATE TABLE recipient_collectivites (
    siren      text NOT NULL,
    person_id  text NOT NULL REFERENCES recipients ON DELETE CASCADE,
    PRIMARY KEY (siren, person_id)
);

-- Read model from diagnosis.completed: who answered within a campaign (its team).
CREATE TABLE campaign_members (
    campaign_id  text NOT NULL,
    person_id    text NOT NULL,
    PRIMARY KEY (campaign_id, person_id)
);
CREATE INDEX campaign_members_person ON campaign_members (person_id);

-- Highest SEQUENCE seen per session: an older invitation arriving late is not sent.
CREATE TABLE session_versions (
    session_id  text PRIMARY KEY,
    sequence    integer NOT NULL
);

CREATE TABLE webhook_subscriptions (
    id                        uuid PRIMARY KEY,
    url                       text NOT NULL,
    secret                    text NOT NULL,
    event_types               text[] NOT NULL,
    description               text NOT NULL DEFAULT '',
    max_consecutive_failures  integer NOT NULL,
    consecutive_failures      integer NOT NULL DEFAULT 0,
    paused_at                 timestamptz,
    created_by                text NOT NULL,
    created_at                timestamptz NOT NULL DEFAULT clock_timestamp()
);

CREATE TABLE webhook_deliveries (
    id               uuid PRIMARY KEY,
    dedup_key        text NOT NULL UNIQUE,
    subscription_id  uuid NOT NULL REFERENCES webhook_subscriptions ON DELETE CASCADE,
    event_type       text NOT NULL,
    body             bytea NOT NULL,
    status           text NOT NULL DEFAULT 'pending'
                     CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts         integer NOT NULL DEFAULT 0,
    next_attempt_at  timestamptz,
    last_error       text,
    last_status      integer,
    created_at       timestamptz NOT NULL DEFAULT clock_timestamp(),
    delivered_at     timestamptz
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at)
    WHERE status = 'pending';
CREATE INDEX webhook_deliveries_subscription ON webhook_deliveries (subscription_id, created_at);

-- Every attempt of every delivery, for the subscriber's operator.
CREATE TABLE webhook_attempts (
    delivery_id   uuid NOT NULL REFERENCES webhook_deliveries ON DELETE CASCADE,
    attempted_at  timestamptz NOT NULL,
    outcome       text NOT NULL,
    status        integer,
    detail        text NOT NULL DEFAULT ''
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts (delivery_id, attempted_at);

CREATE TABLE relay_threads (
    id           text PRIMARY KEY,
    initiator    text NOT NULL,
    counterpart  text NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT clock_timestamp()
);
CREATE INDEX relay_threads_initiator ON relay_threads (initiator);
CREATE INDEX relay_threads_counterpart ON relay_threads (counterpart);

CREATE TABLE relay_messages (
    id         uuid PRIMARY KEY,
    thread_id  text NOT NULL REFERENCES relay_threads ON DELETE CASCADE,
    sender     text NOT NULL,
    recipient  text NOT NULL,
    subject    text NOT NULL,
    body       text NOT NULL,
    sent_at    timestamptz NOT NULL
);
