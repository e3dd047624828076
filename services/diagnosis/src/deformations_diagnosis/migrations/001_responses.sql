-- One row per completed quiz; the result is kept as computed with the version answered,
-- so a new questionnaire version changes no past result.
CREATE TABLE responses (
    id                    uuid PRIMARY KEY,
    submission_id         uuid NOT NULL UNIQUE,
    questionnaire_version text NOT NULL,
    person_id             text,
    answers               jsonb NOT NULL,
    result                jsonb NOT NULL,
    family                text NOT NULL,
    created_at            timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX responses_person ON responses (person_id) WHERE person_id IS NOT NULL;
