-- The player owns player_states (docs/player.md): one row per user, the queue and where it stands,
-- written with optimistic concurrency on version (If-Match), deleted on user.deleted.
CREATE TABLE player_states (
    user_id      uuid PRIMARY KEY,
    queue        uuid[] NOT NULL CHECK (cardinality(queue) <= 1000),
    queue_index  integer NOT NULL CHECK (queue_index >= 0),
    position_ms  integer NOT NULL CHECK (position_ms >= 0),
    device_id    text NOT NULL,
    version      bigint NOT NULL DEFAULT 1,
    updated_at   timestamptz NOT NULL DEFAULT now()
);
