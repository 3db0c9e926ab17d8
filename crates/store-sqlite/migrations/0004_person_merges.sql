-- Merging two person records (the same human recorded twice) and undoing it. The merged person's
-- row stays, pointing at the one kept; every row that moved is listed so that an undo moves back
-- exactly those rows.

ALTER TABLE persons ADD COLUMN merged_into BLOB;

CREATE TABLE person_merges (
    id BLOB PRIMARY KEY NOT NULL,
    kept BLOB NOT NULL REFERENCES persons(id),
    merged BLOB NOT NULL REFERENCES persons(id),
    moved TEXT NOT NULL,
    merged_at TEXT NOT NULL,
    merged_by TEXT NOT NULL,
    undone_at TEXT,
    undone_by TEXT
);
CREATE INDEX person_merges_merged ON person_merges (merged);
