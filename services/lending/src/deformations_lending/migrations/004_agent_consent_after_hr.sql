-- The agent consents in person once the RH, approving, has named them: no consent
-- without the RH's approval. NOT VALID: loans whose consent the RH recorded under the
-- former rule stay as they are; every write from now on is checked.
ALTER TABLE loans ADD CONSTRAINT loans_consent_after_hr CHECK (
    agent_consented_at IS NULL OR hr_approved_at IS NOT NULL
) NOT VALID;
