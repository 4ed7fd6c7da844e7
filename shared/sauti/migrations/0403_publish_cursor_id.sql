-- The play.counted publisher's cursor becomes (recorded_at, id), so a run can stop after a batch in
-- the middle of plays recorded at the same instant. The all-f id means "everything at or before
-- publish_cursor is published", which is what the existing cursor meant.
ALTER TABLE analytics_state
    ADD COLUMN publish_cursor_id uuid NOT NULL DEFAULT 'ffffffff-ffff-ffff-ffff-ffffffffffff';
