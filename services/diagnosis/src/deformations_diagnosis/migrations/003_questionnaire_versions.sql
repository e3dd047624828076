-- Questionnaire versions uploaded by operators (the shipped ones stay files of the package).
-- ``source`` is the YAML as uploaded. A draft may be uploaded again under its version until
-- it is published; once published it never changes, and the newest published one is the
-- current version for new responses (responses keep the version they answered).
CREATE TABLE questionnaire_versions (
    version      text PRIMARY KEY,
    source       text NOT NULL,
    title        text NOT NULL,
    uploaded_by  text,
    uploaded_at  timestamptz NOT NULL,
    published_by text,
    published_at timestamptz
);
CREATE INDEX questionnaire_versions_published
    ON questionnaire_versions (published_at) WHERE published_at IS NOT NULL;
