-- The last day an offer can be lent (its period's end): past it, nothing is proposed from
-- it. Offers recorded before this column have none and stay open-ended.
ALTER TABLE offers ADD COLUMN period_end date;
