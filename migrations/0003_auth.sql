-- The auth layer's own tables (accounts/README.md). They hold what events never may: password
-- hashes, token hashes, ciphertexts and wrapped keys, keyed by the ids the events carry. Who a
-- user is, their role, whether they are disabled and which tokens are live are decided by
-- folding the user's stream; a row here grants nothing without its event.

-- One row per user: reserves the username (the unique index decides races) before UserCreated
-- is appended, and holds the Argon2id hash.
CREATE TABLE auth_credentials (
  user_id       text PRIMARY KEY,
  username      text NOT NULL UNIQUE,
  password_hash text NOT NULL,   -- libsodium's $argon2id$... string
  reserved_ms   bigint NOT NULL  -- when the name was reserved; an old row without a stream is abandoned
);

-- API tokens: only the SHA-256 of the secret; the name and expiry are in ApiTokenCreated.
CREATE TABLE auth_api_tokens (
  token_id    text PRIMARY KEY,
  user_id     text NOT NULL,
  secret_hash text NOT NULL      -- lower-case hex SHA-256 of the raw 32-byte secret
);
CREATE INDEX auth_api_tokens_by_user ON auth_api_tokens (user_id);

-- Per-user data keys, AES-256-GCM-wrapped by the master key (BERTH_MASTER_KEY).
CREATE TABLE auth_user_keys (
  user_id     text PRIMARY KEY,
  wrapped_key bytea NOT NULL
);

-- Secret values, sealed with the user's data key; names also appear in SecretSet events.
CREATE TABLE auth_user_secrets (
  user_id    text NOT NULL,
  name       text NOT NULL,
  ciphertext bytea NOT NULL,
  PRIMARY KEY (user_id, name)
);

-- Session JWTs logged out before they expire; rows past expires_ms are swept.
CREATE TABLE auth_revoked_sessions (
  jti        text PRIMARY KEY,
  expires_ms bigint NOT NULL
);
CREATE INDEX auth_revoked_sessions_by_expiry ON auth_revoked_sessions (expires_ms);

-- Ids of template streams, so listing templates needs neither a read model nor a scan of
-- every stream.
CREATE TABLE auth_template_ids (
  template_id text PRIMARY KEY
);
