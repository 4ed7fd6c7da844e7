-- Auth & users owns these tables. Other modules reference users(id) but never write here.
CREATE TABLE users (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email               citext UNIQUE,            -- NFKC, trimmed, lower-case; NULL once the account is deleted
    display_name        text NOT NULL,
    password_hash       text,                     -- Argon2id (PHC string); NULL once deleted
    roles               text[] NOT NULL DEFAULT '{}'
                        CHECK (roles <@ ARRAY['artist', 'super_admin', 'content_manager', 'moderator']::text[]),
    email_verified_at   timestamptz,
    password_changed_at timestamptz,              -- outstanding reset links die when this moves
    suspended_at        timestamptz,              -- a suspended user can neither log in nor refresh
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    deleted_at          timestamptz
);

-- The durable copy of the refresh-token sessions that live in Redis (docs/auth.md, "Sessions and Redis").
-- Only hashes of the token parts are stored.
CREATE TABLE auth_sessions (
    id              uuid PRIMARY KEY,
    user_id         uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    family_hash     text NOT NULL UNIQUE,  -- sha256 of the part every token of the session shares
    secret_hash     text NOT NULL,         -- sha256 of the current token's own part
    user_agent      text,
    platform        text,
    device_name     text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    last_used_at    timestamptz NOT NULL DEFAULT now(),
    idle_expires_at timestamptz NOT NULL,  -- moves forward on every refresh
    expires_at      timestamptz NOT NULL,  -- absolute end of the session
    revoked_at      timestamptz
);
CREATE INDEX auth_sessions_user_idx ON auth_sessions (user_id) WHERE revoked_at IS NULL;
