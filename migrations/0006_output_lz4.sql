-- Output bodies compressed with lz4 instead of pglz: during an output flood pglz took about an
-- eighth of PostgreSQL's CPU (terminal output compresses well either way).
-- Bodies already stored keep their compression; a server built without lz4 keeps pglz.
DO $$
BEGIN
  ALTER TABLE es_events ALTER COLUMN body SET COMPRESSION lz4;
EXCEPTION WHEN feature_not_supported THEN
  RAISE NOTICE 'lz4 is not available: output bodies stay pglz-compressed';
END $$;
