-- Session names (a terminal tab's title): set by SessionRenamed, '' until a session is named.
ALTER TABLE rm_sessions ADD COLUMN name text NOT NULL DEFAULT '';
