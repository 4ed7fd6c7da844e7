-- Analytics owns offline_plays (docs/analytics.md): one row per offline play a device uploaded and
-- analytics accepted, keyed by the client's play_id per user, so an upload sent again (a lost answer,
-- a retry) is a duplicate and never a second play, whatever else changed in it. The counted play
-- itself goes into plays (source 'offline') like any other. The index on (user_id, played_at) finds
-- a user's earlier offline plays that a new one would overlap (one device plays one song at a time).
CREATE TABLE offline_plays (
    user_id      uuid NOT NULL,
    play_id      uuid NOT NULL,
    played_at    timestamptz NOT NULL,
    listened_ms  integer NOT NULL CHECK (listened_ms >= 0),
    recorded_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (user_id, play_id)
);
CREATE INDEX offline_plays_user_played_idx ON offline_plays (user_id, played_at);
