-- Admin (docs/admin.md). The catalog gains what uploads, Stream and imports need; admin owns the audit log
-- and the reports.

-- Catalog: a video is a draft until Cloudflare Stream says it is ready (duration and thumbnail come then).
ALTER TABLE videos ALTER COLUMN duration_ms DROP NOT NULL;
ALTER TABLE videos ADD COLUMN ready_at timestamptz;
ALTER TABLE videos ADD COLUMN stream_event_at timestamptz;  -- the newest Stream notification applied
UPDATE videos SET ready_at = created_at;
CREATE UNIQUE INDEX videos_stream_uid_idx ON videos (stream_uid);

-- Catalog: an ad exists before its audio is uploaded; only ads with audio are served.
ALTER TABLE ads ALTER COLUMN object_key DROP NOT NULL;

-- Catalog: a sender's own stable id (`ref` in an import) for each row it created; importing again updates.
CREATE TABLE catalog_external_refs (
    kind         text NOT NULL CHECK (kind IN ('artist', 'album', 'song')),
    ref          text NOT NULL,
    id           uuid NOT NULL,
    PRIMARY KEY (kind, ref)
);

-- Catalog: ids for imported rows in time order (the UUID v7 layout; PostgreSQL 17 has no uuidv7()), so a
-- big import appends to the primary-key indexes instead of writing pages all over them.
CREATE FUNCTION catalog_time_ordered_uuid() RETURNS uuid LANGUAGE sql VOLATILE AS $$
    SELECT encode(
        set_bit(set_bit(overlay(uuid_send(gen_random_uuid())
                                placing substring(int8send((extract(epoch FROM clock_timestamp()) * 1000)::bigint)
                                                  FROM 3)
                                FROM 1 FOR 6), 52, 1), 53, 1),
        'hex')::uuid
$$;

-- Admin: every admin write, in the same transaction as the change. Append-only (trigger below).
CREATE TABLE audit_log (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor_id     uuid,                      -- NULL: the system (the Stream webhook, a CLI import)
    action       text NOT NULL,
    target_type  text NOT NULL,
    target_id    text,
    before       jsonb,
    after        jsonb,
    reason       text,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_actor_idx ON audit_log (actor_id, id DESC);
CREATE INDEX audit_log_target_idx ON audit_log (target_id, id DESC);

CREATE FUNCTION audit_log_is_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'audit_log is append-only' USING ERRCODE = 'insufficient_privilege';
END $$;
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log
    FOR EACH ROW EXECUTE FUNCTION audit_log_is_append_only();

-- Admin: what users report; one open report per reporter and target.
CREATE TABLE reports (
    id           uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    reporter_id  uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    target_type  text NOT NULL CHECK (target_type IN ('song', 'video', 'playlist', 'user')),
    target_id    uuid NOT NULL,
    reason       text NOT NULL,
    status       text NOT NULL DEFAULT 'open' CHECK (status IN ('open', 'resolved')),
    resolution   text CHECK (resolution IN ('dismiss', 'takedown', 'suspend')),
    note         text,
    resolved_by  uuid,
    resolved_at  timestamptz,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE UNIQUE INDEX reports_one_open_idx ON reports (reporter_id, target_type, target_id) WHERE status = 'open';
CREATE INDEX reports_status_idx ON reports (status, created_at DESC, id DESC);

-- Admin: each presigned upload handed out, with what was announced, until it is confirmed (a HEAD of the
-- object must show the announced size and type).
CREATE TABLE pending_uploads (
    object_key   text PRIMARY KEY,
    target_type  text NOT NULL CHECK (target_type IN ('song', 'ad')),
    target_id    uuid NOT NULL,
    quality      text,
    content_type text NOT NULL,
    size_bytes   bigint NOT NULL,
    created_by   uuid,
    expires_at   timestamptz NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX pending_uploads_target_idx ON pending_uploads (target_id);
