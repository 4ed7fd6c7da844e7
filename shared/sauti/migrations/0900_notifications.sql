-- Notifications owns these tables: push tokens, preferences, artist follows, what was sent, suppressed addresses.

CREATE TABLE notification_push_tokens (
    token         text PRIMARY KEY,                 -- the FCM registration token; one account at a time
    user_id       uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    platform      text NOT NULL CHECK (platform IN ('ios', 'android', 'web')),
    registered_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX notification_push_tokens_user_idx ON notification_push_tokens (user_id, registered_at);

-- A missing row means every default (docs/notifications.md).
CREATE TABLE notification_preferences (
    user_id           uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    push              boolean NOT NULL,
    email             boolean NOT NULL,
    new_releases      boolean NOT NULL,
    playlist_activity boolean NOT NULL,
    billing           boolean NOT NULL,
    security          boolean NOT NULL,
    product_news      boolean NOT NULL,
    updated_at        timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE artist_follows (
    user_id     uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    artist_id   uuid NOT NULL,
    followed_at timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, artist_id)
);
-- Fan-out reads an artist's followers in user id order, chunk by chunk.
CREATE INDEX artist_follows_artist_user_idx ON artist_follows (artist_id, user_id);
CREATE INDEX artist_follows_user_followed_idx ON artist_follows (user_id, followed_at, artist_id);

-- One row per (release, user): claimed before the push is sent, sent_at once a device accepted it.
-- A claim older than a minute without sent_at belongs to a worker that died; it may be claimed again.
CREATE TABLE notification_release_deliveries (
    release_key text NOT NULL,                      -- song:<id> or video:<id>
    user_id     uuid NOT NULL,
    claimed_at  timestamptz NOT NULL DEFAULT now(),
    sent_at     timestamptz,
    PRIMARY KEY (release_key, user_id)
);

-- Addresses SES told us bounced (permanently) or complained: nothing is sent to them.
CREATE TABLE email_suppressions (
    address       text PRIMARY KEY,                 -- lower case
    reason        text NOT NULL CHECK (reason IN ('bounce', 'complaint')),
    feedback_id   text,
    suppressed_at timestamptz NOT NULL DEFAULT now()
);
