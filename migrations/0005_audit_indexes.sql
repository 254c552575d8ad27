-- The audit session list pages through every session newest first (GET /api/audit/sessions).
CREATE INDEX rm_sessions_by_opened ON rm_sessions (opened_ms DESC, session_id DESC);
