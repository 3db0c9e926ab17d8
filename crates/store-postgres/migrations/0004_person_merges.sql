-- Merging two person records (the same human recorded twice) and undoing it. The merged person's
-- row stays, pointing at the one kept; every row that moved is listed so that an undo moves back
-- exactly those rows.

ALTER TABLE persons ADD COLUMN merged_into UUID;

CREATE TABLE person_merges (
    id UUID PRIMARY KEY NOT NULL,
    kept UUID NOT NULL REFERENCES persons(id),
    merged UUID NOT NULL REFERENCES persons(id),
    moved TEXT COLLATE "C" NOT NULL,
    merged_at TIMESTAMPTZ NOT NULL,
    merged_by TEXT COLLATE "C" NOT NULL,
    undone_at TIMESTAMPTZ,
    undone_by TEXT COLLATE "C"
);
CREATE INDEX person_merges_merged ON person_merges (merged);
