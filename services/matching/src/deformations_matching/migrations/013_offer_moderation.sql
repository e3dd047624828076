-- Lending's operators may hide an offer (content.hidden.v1) and show it again
-- (content.shown.v1): a hidden offer is proposed to nobody. The latest decision by its
-- time stands, whatever order the events arrive in, even before the offer itself.
CREATE TABLE offer_moderation (
    offer_id   uuid PRIMARY KEY,
    hidden     boolean NOT NULL,
    decided_at timestamptz NOT NULL
);
