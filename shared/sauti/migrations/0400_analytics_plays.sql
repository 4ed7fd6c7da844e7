-- Analytics owns these tables (docs/analytics.md).

-- One row per counted play (the 30-second rule already applied). Partitioned by day on played_at,
-- so a day's rollup scans one partition and old raw days can be detached once rolled up. No foreign
-- keys: recording a play stays one cheap insert at 5 million plays a day.
CREATE TABLE plays (
    id           uuid NOT NULL DEFAULT gen_random_uuid(),
    played_at    timestamptz NOT NULL,
    user_id      uuid NOT NULL,
    song_id      uuid NOT NULL,
    listened_ms  integer NOT NULL CHECK (listened_ms >= 0),
    source       text NOT NULL DEFAULT 'unknown',   -- album, playlist, search, import, ...
    session_id   uuid,                              -- the play session, unique per counted play
    recorded_at  timestamptz NOT NULL DEFAULT now(), -- when the row was written: the event publisher's cursor
    PRIMARY KEY (played_at, id)
) PARTITION BY RANGE (played_at);

CREATE TABLE plays_default PARTITION OF plays DEFAULT;

CREATE INDEX plays_user_recent_idx ON plays (user_id, played_at DESC);
CREATE UNIQUE INDEX plays_session_idx ON plays (session_id, played_at) WHERE session_id IS NOT NULL;
-- BRIN: rows arrive in recorded_at order, so this index costs almost nothing to keep up.
CREATE INDEX plays_recorded_brin ON plays USING brin (recorded_at);

-- Per-song daily totals, written only by the rollup. plays = after the daily cap, raw_plays = before.
CREATE TABLE song_daily_stats (
    day        date NOT NULL,
    song_id    uuid NOT NULL,
    plays      integer NOT NULL,
    listeners  integer NOT NULL,  -- distinct users who played the song that day
    raw_plays  integer NOT NULL,
    PRIMARY KEY (song_id, day)
);
CREATE INDEX song_daily_stats_day_idx ON song_daily_stats (day);

-- One row per day the rollup knows about: 'done' once rolled up, 'pending' when it must run (again).
CREATE TABLE rollup_days (
    day           date PRIMARY KEY,
    status        text NOT NULL CHECK (status IN ('pending', 'done')),
    rolled_up_at  timestamptz,
    raw_plays     bigint,
    counted_plays bigint,
    songs         integer,
    daily_cap     integer,
    duration_ms   integer
);

-- Pre-calculated dashboard answers. A row is valid while its generation is the current one (every
-- rollup bumps it) and its through is yesterday; otherwise it is recomputed on the next read.
CREATE TABLE dashboard_cache (
    subject      text NOT NULL CHECK (subject IN ('artist', 'song')),
    subject_id   uuid NOT NULL,
    range        text NOT NULL,
    through      date NOT NULL,
    generation   bigint NOT NULL,
    body         jsonb NOT NULL,
    computed_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (subject, subject_id, range)
);

-- The module's single-row state: the cache generation and the play.counted publisher's cursor.
CREATE TABLE analytics_state (
    singleton         boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    rollup_generation bigint NOT NULL DEFAULT 0,
    publish_cursor    timestamptz NOT NULL DEFAULT now()
);
INSERT INTO analytics_state DEFAULT VALUES;
