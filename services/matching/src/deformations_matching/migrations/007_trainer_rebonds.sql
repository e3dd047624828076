-- The rebonds trainers proposed to élus (rebond.proposed.v1) and their answers
-- (rebond.answered.v1), as training published them: /v1/recommendations/rebond answers
-- from them before falling back to the booklet's table. Either event may come first, so
-- every column but the identity may be unknown for a while.
CREATE TABLE trainer_rebonds (
    rebond_id uuid PRIMARY KEY,
    person_id text NOT NULL,
    after_offer_id uuid NOT NULL,
    kind text NOT NULL,
    offer_id uuid,
    theme text NOT NULL,
    occasion text,
    proposed_at timestamptz,
    answered_at timestamptz,
    taken boolean
);
CREATE INDEX trainer_rebonds_person ON trainer_rebonds (person_id, proposed_at DESC);
