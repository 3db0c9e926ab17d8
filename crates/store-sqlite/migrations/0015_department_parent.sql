-- Departments nest (部 → 課 → 係): a department may name the one it belongs to.
ALTER TABLE departments ADD COLUMN parent_id BLOB;
