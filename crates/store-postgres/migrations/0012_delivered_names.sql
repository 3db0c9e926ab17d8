-- The name and kana as the source delivered them (half-width kana, one column or two …),
-- kept beside the normalised, split names of the record.
ALTER TABLE persons ADD COLUMN name_as_delivered TEXT COLLATE "C";
ALTER TABLE persons ADD COLUMN kana_as_delivered TEXT COLLATE "C";
