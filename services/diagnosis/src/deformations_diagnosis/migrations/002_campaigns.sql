-- A campaign asks one team (a municipal council, or an intercommunality with its member
-- communes) to answer one questionnaire version before an expiry date. The team is copied
-- from the reference geography when the campaign opens, so later changes of the COG do
-- not move past responses between teams.
CREATE TABLE campaigns (
    id                    uuid PRIMARY KEY,
    token                 text NOT NULL UNIQUE,
    team_kind             text NOT NULL
                          CHECK (team_kind IN ('municipal_council', 'intercommunality')),
    collectivite_siren    text NOT NULL,
    commune_insee         text,
    team_label            text NOT NULL,
    members               jsonb NOT NULL DEFAULT '[]',
    questionnaire_version text NOT NULL,
    created_by            text,
    created_at            timestamptz NOT NULL DEFAULT now(),
    expires_at            timestamptz NOT NULL
);
CREATE INDEX campaigns_collectivite ON campaigns (collectivite_siren);
CREATE INDEX campaigns_creator ON campaigns (created_by) WHERE created_by IS NOT NULL;

-- ``shared``: the respondent agreed that their result counts in the team's collective result.
ALTER TABLE responses
    ADD COLUMN campaign_id   uuid REFERENCES campaigns (id),
    ADD COLUMN commune_insee text,
    ADD COLUMN shared        boolean NOT NULL DEFAULT false;
CREATE INDEX responses_campaign_shared ON responses (campaign_id, commune_insee) WHERE shared;
CREATE INDEX responses_version ON responses (questionnaire_version, created_at);
