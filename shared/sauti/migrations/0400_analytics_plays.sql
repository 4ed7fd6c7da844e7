-- Analytics owns the plays table: one row per counted play (the 30-second rule already applied).
-- Partitioned by day on played_at, so a day's rollup scans one partition and old raw days can be
-- detached once rolled up. No foreign keys: inserts stay one cheap write at 5 million plays a day.
CREATE TABLE plays (
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    played_at    timestamptz NOT NULL,
    user_id      uuid NOT NULL,
    song_id      uuid NOT NULL,
    listened_ms  integer NOT NULL CHECK (listened_ms >= 0),
    source       text NOT NULL DEFAULT 'unknown',   -- album, playlist, search, import, ...
    session_id   uuid,                              -- the play session, unique per counted play
    PRIMARY KEY (played_at, id)
) PARTITION BY RANGE (played_at);

CREATE TABLE plays_default PARTITION OF plays DEFAULT;

CREATE INDEX plays_user_recent_idx ON plays (user_id, played_at DESC);
CREATE UNIQUE INDEX plays_session_idx ON plays (session_id, played_at) WHERE session_id IS NOT NULL;
