-- A campaign that counts only signed-in people's answers: an anonymous link answer can
-- be faked, and two fakes beside one real answer would single her out of the k ≥ 3
-- collective result. Campaigns opened before the option keep taking anonymous answers.
ALTER TABLE campaigns ADD COLUMN signed_in_only boolean NOT NULL DEFAULT false;
