-- Read models, built from the event feed by projections/ (see projections/README.md).
-- Every row is derived: `rebuild` empties a projection's tables and replays the feed.
-- `version` is the stream version of the last event applied to the row; updates carry
-- `WHERE version < <event's version>`, so a replayed event changes nothing.

-- workspaces: one row per workspace-<id> stream; what GET /api/workspaces lists.
CREATE TABLE rm_workspaces (
  workspace_id     text PRIMARY KEY,
  owner_id         text NOT NULL,
  name             text NOT NULL,
  starred          boolean NOT NULL DEFAULT false,
  state            text NOT NULL,   -- creating, running, stopped, failed, deleting, deleted
  state_reason     text,            -- the reason of the last state change, or how the container was lost
  template_id      text NOT NULL,
  image            text NOT NULL,
  limits           jsonb NOT NULL,  -- {memory_bytes, nano_cpus, pids}
  idle_timeout_s   bigint NOT NULL,
  sudo_allowed     boolean NOT NULL,
  env_names        jsonb NOT NULL,  -- names of the secrets injected, never their values
  container_id     text,
  volume           text,
  last_error       text,            -- from WorkspaceFailed, cleared by the next start
  created_ms       bigint NOT NULL,
  last_activity_ms bigint NOT NULL,  -- latest of created_ms, started_ms and WorkspaceActivity.at_ms
  version          bigint NOT NULL,
  updated_at_pos   bigint NOT NULL  -- global position of the last event applied
);
-- One owner's list, starred first, then by name.
CREATE INDEX rm_workspaces_by_owner ON rm_workspaces (owner_id, starred DESC, name);

-- audit: one row per event, except terminal data (OutputRecorded, InputRecorded).
CREATE TABLE rm_audit_log (
  global_pos     bigint PRIMARY KEY,
  event_id       uuid NOT NULL,
  recorded_at    timestamptz NOT NULL,
  actor          text,            -- metadata.actor: a user id or `system`
  action         text NOT NULL,   -- the event type
  resource_type  text NOT NULL,   -- the stream type: user, workspace, session, template, system
  resource_id    text NOT NULL,   -- the stream id after its type
  stream_version bigint NOT NULL,
  remote_address text,
  trace_id       text,
  details        jsonb NOT NULL   -- the event's data (which never holds a secret)
);
CREATE INDEX rm_audit_log_by_actor ON rm_audit_log (actor, recorded_at);
CREATE INDEX rm_audit_log_by_resource ON rm_audit_log (resource_type, resource_id, recorded_at);
CREATE INDEX rm_audit_log_by_action ON rm_audit_log (action, recorded_at);
CREATE INDEX rm_audit_log_by_time ON rm_audit_log (recorded_at);

-- users: user-<id> streams. `rm_users.version` also guards the token and secret tables.
CREATE TABLE rm_users (
  user_id    text PRIMARY KEY,
  username   text NOT NULL UNIQUE,
  role       text NOT NULL,       -- member, auditor, admin
  disabled   boolean NOT NULL DEFAULT false,
  created_ms bigint NOT NULL,
  version    bigint NOT NULL
);

CREATE TABLE rm_api_tokens (
  token_id   text PRIMARY KEY,
  user_id    text NOT NULL,
  name       text NOT NULL,
  created_ms bigint NOT NULL,
  expires_ms bigint,              -- NULL: never expires
  revoked    boolean NOT NULL DEFAULT false
);
CREATE INDEX rm_api_tokens_by_user ON rm_api_tokens (user_id);

-- Names only: the ciphertext stays in auth_user_secrets.
CREATE TABLE rm_user_secrets (
  user_id text NOT NULL,
  name    text NOT NULL,
  PRIMARY KEY (user_id, name)
);

-- templates: template-<id> streams.
CREATE TABLE rm_templates (
  template_id    text PRIMARY KEY,
  name           text NOT NULL,
  image          text NOT NULL,
  limits         jsonb NOT NULL,
  env            jsonb NOT NULL,  -- configuration, not secret
  idle_timeout_s bigint NOT NULL,
  sudo_allowed   boolean NOT NULL,
  deleted        boolean NOT NULL DEFAULT false,
  version        bigint NOT NULL
);

-- sessions: session-<id> streams (terminal sessions).
CREATE TABLE rm_sessions (
  session_id   text PRIMARY KEY,
  workspace_id text NOT NULL,
  user_id      text NOT NULL,
  state        text NOT NULL,     -- open, closed
  cols         integer NOT NULL,
  rows         integer NOT NULL,
  opened_ms    bigint NOT NULL,
  closed_ms    bigint,            -- when SessionClosed was recorded
  close_reason text,
  exit_status  integer,
  output_bytes bigint NOT NULL,   -- end offset of the last output recorded
  version      bigint NOT NULL
);
CREATE INDEX rm_sessions_by_workspace ON rm_sessions (workspace_id);
