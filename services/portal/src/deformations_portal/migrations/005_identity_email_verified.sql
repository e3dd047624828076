-- Whether an identity's address is proven to be the person's: notifications registers
-- no other. An e-mail link proves its address; an identity provider says so in its
-- email_verified claim. Identities of before are taken as their issuer vouched: the
-- e-mail ones were signed in with (or invited, and can only sign in by the link), the
-- others get their provider's word at their next sign-in.
ALTER TABLE login_identities ADD COLUMN email_verified boolean NOT NULL DEFAULT false;
UPDATE login_identities SET email_verified = true WHERE issuer = 'email';
