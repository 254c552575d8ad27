-- The event store: streams with versions, append-only events with a per-stream hash chain,
-- snapshots and projection checkpoints. See DESIGN.md "Events".

CREATE TABLE es_streams (
  stream_id   text PRIMARY KEY,
  stream_type text NOT NULL,
  version     bigint NOT NULL CHECK (version > 0),
  last_hash   bytea NOT NULL  -- hash of the event at `version`: the head of the chain
);

CREATE TABLE es_events (
  global_pos     bigint GENERATED ALWAYS AS IDENTITY,
  tx_id          xid8 NOT NULL DEFAULT pg_current_xact_id(),
  stream_id      text NOT NULL REFERENCES es_streams,
  stream_version bigint NOT NULL CHECK (stream_version > 0),
  event_id       uuid NOT NULL UNIQUE,
  event_type     text NOT NULL,
  schema_version int NOT NULL DEFAULT 1,
  data           jsonb NOT NULL,
  body           bytea,
  metadata       jsonb NOT NULL,
  recorded_at    timestamptz NOT NULL DEFAULT clock_timestamp(),
  prev_hash      bytea,
  hash           bytea NOT NULL,
  PRIMARY KEY (stream_id, stream_version)
);

-- The gap-safe feed reads in (tx_id, global_pos) order.
CREATE INDEX es_events_feed ON es_events (tx_id, global_pos);

-- Events are never changed or removed: history is append-only.
CREATE FUNCTION es_events_are_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'es_events is append-only (% refused)', TG_OP
    USING ERRCODE = 'insufficient_privilege';
END $$;

CREATE TRIGGER es_events_append_only BEFORE UPDATE OR DELETE ON es_events
  FOR EACH ROW EXECUTE FUNCTION es_events_are_append_only();
CREATE TRIGGER es_events_no_truncate BEFORE TRUNCATE ON es_events
  FOR EACH STATEMENT EXECUTE FUNCTION es_events_are_append_only();

CREATE TABLE es_snapshots (
  stream_id      text NOT NULL,
  state_version  int NOT NULL,   -- version of the fold code that wrote `state`
  stream_version bigint NOT NULL,
  state          bytea NOT NULL,
  created_at     timestamptz NOT NULL DEFAULT now(),
  PRIMARY KEY (stream_id, state_version)
);

CREATE TABLE es_checkpoints (
  projection text PRIMARY KEY,
  last_tx    xid8 NOT NULL DEFAULT '0',
  last_pos   bigint NOT NULL DEFAULT 0,
  updated_at timestamptz NOT NULL DEFAULT now()
);
