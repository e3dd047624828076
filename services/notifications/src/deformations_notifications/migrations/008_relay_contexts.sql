-- Who shares a context (a group, a session, a loan, a programme…): the contact relay opens
-- a conversation only between people who share one (domain/contexts.py). A member is a
-- person, or a collectivité whose registered people all belong.
CREATE TABLE relay_contexts (
    context    text NOT NULL,
    person_id  text,
    siren      text,
    CHECK ((person_id IS NULL) <> (siren IS NULL))
);
CREATE UNIQUE INDEX relay_contexts_person ON relay_contexts (person_id, context)
    WHERE person_id IS NOT NULL;
CREATE UNIQUE INDEX relay_contexts_siren ON relay_contexts (siren, context)
    WHERE siren IS NOT NULL;
