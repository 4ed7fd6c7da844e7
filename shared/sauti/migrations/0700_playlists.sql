-- Playlists owns these tables (docs/playlists.md).

-- visible_to_others = visibility = 'public' AND owner_premium AND taken_down_at IS NULL. owner_premium follows
-- billing's plan.changed; taken_down_at is set by moderators (admin). Either hides a public playlist from
-- everyone but its owner and editors, and takes it out of the ranking.
CREATE TABLE playlists (
    id            uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    owner_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    name          text NOT NULL,
    description   text NOT NULL DEFAULT '',
    visibility    text NOT NULL CHECK (visibility IN ('private', 'public')),
    owner_premium boolean NOT NULL DEFAULT true,
    version       bigint NOT NULL DEFAULT 1,      -- grows on every change: the ETag
    track_count   integer NOT NULL DEFAULT 0,
    duration_ms   bigint NOT NULL DEFAULT 0,
    followers     integer NOT NULL DEFAULT 0,
    taken_down_at timestamptz,
    taken_down_reason text,
    created_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX playlists_owner_idx ON playlists (owner_id, created_at DESC, id DESC);

-- Items ordered by a sparse integer rank: an insert or a move writes only the rows it adds or moves
-- (new ranks fall between their neighbours); when a gap is used up the playlist is renumbered once.
CREATE TABLE playlist_items (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),   -- the stable item_id
    playlist_id  uuid NOT NULL REFERENCES playlists (id) ON DELETE CASCADE,
    rank         bigint NOT NULL,
    song_id      uuid NOT NULL,
    duration_ms  integer NOT NULL DEFAULT 0,   -- as the catalog said when added (for the playlist's total)
    added_by     uuid REFERENCES users (id) ON DELETE SET NULL,
    added_at     timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX playlist_items_order_idx ON playlist_items (playlist_id, rank, id);
CREATE INDEX playlist_items_song_idx ON playlist_items (playlist_id, song_id);
CREATE INDEX playlist_items_added_by_idx ON playlist_items (added_by) WHERE added_by IS NOT NULL;

CREATE TABLE playlist_collaborators (
    playlist_id  uuid NOT NULL REFERENCES playlists (id) ON DELETE CASCADE,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    joined_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (playlist_id, user_id)
);
CREATE INDEX playlist_collaborators_user_idx ON playlist_collaborators (user_id, joined_at DESC);

-- Invite links: only the SHA-256 of the token is kept.
CREATE TABLE playlist_invites (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    playlist_id  uuid NOT NULL REFERENCES playlists (id) ON DELETE CASCADE,
    token_hash   bytea NOT NULL UNIQUE,
    created_at   timestamptz NOT NULL DEFAULT now(),
    expires_at   timestamptz NOT NULL,
    revoked_at   timestamptz
);
CREATE INDEX playlist_invites_playlist_idx ON playlist_invites (playlist_id);

CREATE TABLE playlist_followers (
    playlist_id  uuid NOT NULL REFERENCES playlists (id) ON DELETE CASCADE,
    user_id      uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    followed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (playlist_id, user_id)
);
CREATE INDEX playlist_followers_user_idx ON playlist_followers (user_id, followed_at DESC);

-- Distinct counting viewers and players per playlist per UTC day, flushed from Redis by the ranking job
-- (each flush writes the day's running totals, so a repeated flush changes nothing).
CREATE TABLE playlist_daily_stats (
    playlist_id  uuid NOT NULL REFERENCES playlists (id) ON DELETE CASCADE,
    day          date NOT NULL,
    viewers      integer NOT NULL DEFAULT 0,
    players      integer NOT NULL DEFAULT 0,
    PRIMARY KEY (playlist_id, day)
);
CREATE INDEX playlist_daily_stats_day_idx ON playlist_daily_stats (day);

-- The last computed ranking per period: what GET /playlists/top serves when Redis has lost its copy.
CREATE TABLE playlist_rankings (
    period       text PRIMARY KEY CHECK (period IN ('day', 'week', 'month')),
    body         jsonb NOT NULL,
    computed_at  timestamptz NOT NULL DEFAULT now()
);
