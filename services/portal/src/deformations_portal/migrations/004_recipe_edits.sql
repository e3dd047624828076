-- Operators' edits of the booklet's recipes phares, laid over the shipped catalogue: one
-- row per edited recipe with its current texts (who edited is in the operators' journal).
-- Steps and « On sera content si… » are JSON arrays of lines.
CREATE TABLE recipe_edits (
    code      text PRIMARY KEY,
    title     text NOT NULL,
    summary   text NOT NULL,
    steps     jsonb NOT NULL,
    happy_if  jsonb NOT NULL,
    edited_at timestamptz NOT NULL
);
