-- The number of decimals a number was written with (`1.0` → 1, `170.00` → 2): FHIR treats them
-- as significant, so exports write the number with them. NULL: not known (stored before, or
-- converted by a factor that is not a power of ten).
ALTER TABLE observations ADD COLUMN scale SMALLINT;
ALTER TABLE observation_history ADD COLUMN scale SMALLINT;
