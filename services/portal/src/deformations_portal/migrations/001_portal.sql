-- People, their login identities and memberships; sign-in links, web sessions, the
-- audit of rights changes. Personal data (e-mail addresses) lives in login_identities only.

CREATE TABLE persons (
    person_id uuid PRIMARY KEY,
    created_at timestamptz NOT NULL,
    -- Set when the person asked to be erased; the row stays so history keeps its ids.
    erased_at timestamptz
);

-- An identity is an (issuer, subject) pair from OIDC, or an e-mail address (issuer 'email').
CREATE TABLE login_identities (
    issuer text NOT NULL,
    subject text NOT NULL,
    person_id uuid NOT NULL REFERENCES persons (person_id),
    email text,
    given_name text,
    usual_name text,
    created_at timestamptz NOT NULL,
    last_seen_at timestamptz NOT NULL,
    CONSTRAINT login_identities_pkey PRIMARY KEY (issuer, subject)
);
CREATE INDEX login_identities_person ON login_identities (person_id);
CREATE INDEX login_identities_email ON login_identities (lower(email));

CREATE TABLE memberships (
    membership_id uuid PRIMARY KEY,
    person_id uuid NOT NULL REFERENCES persons (person_id),
    siren text NOT NULL CHECK (siren ~ '^[0-9]{9}$'),
    role text NOT NULL,
    status text NOT NULL CHECK (status IN ('invited', 'requested', 'validated', 'refused', 'revoked')),
    requested_at timestamptz NOT NULL,
    decided_by uuid,
    decided_at timestamptz,
    -- An invitation is sent to an address before the person exists on the platform.
    invited_email text
);
-- One live membership per person, collectivité and role; ended ones stay as history.
CREATE UNIQUE INDEX memberships_live ON memberships (person_id, siren, role)
    WHERE status IN ('invited', 'requested', 'validated');
CREATE INDEX memberships_siren ON memberships (siren, status);

-- Every change of rights, with who made it; kept when a membership ends.
CREATE TABLE rights_audit (
    id bigserial PRIMARY KEY,
    membership_id uuid NOT NULL,
    person_id uuid NOT NULL,
    siren text NOT NULL,
    role text NOT NULL,
    status text NOT NULL,
    actor uuid,
    at timestamptz NOT NULL
);

-- Only the hash of a link's secret is kept; used_at makes it single use.
CREATE TABLE sign_in_links (
    token_hash text PRIMARY KEY,
    email text NOT NULL,
    client_ip text NOT NULL,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL,
    used_at timestamptz,
    -- When the link comes from an invitation, the membership it accepts.
    membership_id uuid
);
CREATE INDEX sign_in_links_email ON sign_in_links (lower(email), created_at);
CREATE INDEX sign_in_links_ip ON sign_in_links (client_ip, created_at);

-- An OpenID Connect sign-in under way: state, nonce and PKCE verifier, single use.
CREATE TABLE oidc_attempts (
    state text PRIMARY KEY,
    nonce text NOT NULL,
    code_verifier text NOT NULL,
    created_at timestamptz NOT NULL
);

CREATE TABLE web_sessions (
    session_hash text PRIMARY KEY,
    person_id uuid NOT NULL REFERENCES persons (person_id),
    membership_id uuid,
    csrf_token text NOT NULL,
    -- The provider's id_token, for its end-session endpoint at logout.
    id_token text,
    created_at timestamptz NOT NULL,
    expires_at timestamptz NOT NULL
);
CREATE INDEX web_sessions_person ON web_sessions (person_id);

-- The issuer's key when none is configured (dev and tests only).
CREATE TABLE signing_keys (
    kid text PRIMARY KEY,
    private_pem text NOT NULL,
    created_at timestamptz NOT NULL
);
