-- Offline downloads owns these tables. No content key is ever stored: only its identifier.
CREATE TABLE devices (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name           text NOT NULL,
    platform       text NOT NULL,
    public_key     jsonb NOT NULL,          -- the device's P-256 public JWK
    is_offline     boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_synced_at timestamptz
);
CREATE INDEX devices_user_idx ON devices (user_id);
-- One offline device per user, enforced by the database itself.
CREATE UNIQUE INDEX devices_one_offline_per_user ON devices (user_id) WHERE is_offline;

CREATE TABLE downloads (
    id             uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    key_id         uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
    user_id        uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    device_id      uuid NOT NULL REFERENCES devices (id) ON DELETE CASCADE,
    song_id        uuid NOT NULL,
    issued_at      timestamptz NOT NULL DEFAULT now(),
    expires_at     timestamptz NOT NULL,    -- the license's offline expiry; renewed by each sync
    revoked_at     timestamptz,
    revoked_reason text                     -- device_replaced, song_unavailable, premium_ended, removed, replaced
);
CREATE INDEX downloads_device_active_idx ON downloads (device_id) WHERE revoked_at IS NULL;
CREATE INDEX downloads_user_issued_idx ON downloads (user_id, issued_at);
