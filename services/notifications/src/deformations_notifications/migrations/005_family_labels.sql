-- French names of the diagnosis families, learnt from diagnosis.completed events, for the
-- collective results (diagnosis.team_updated carries family codes only).
CREATE TABLE family_labels (
    code   text PRIMARY KEY,
    label  text NOT NULL
);
