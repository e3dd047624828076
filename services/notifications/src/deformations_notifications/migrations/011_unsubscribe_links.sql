-- Unsubscribe links issued before this moment are revoked (NULL: none is). Registering
-- anew (after an erasure), a new address, or a request from « Mes préférences » sets it.
ALTER TABLE recipients ADD COLUMN unsubscribe_links_from timestamptz;
