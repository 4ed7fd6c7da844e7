-- GET /downloads pages a user's active downloads newest first on (issued_at, id), optionally for one
-- device: these indexes answer each page from where the last one stopped, however many rows there are.
CREATE INDEX downloads_user_active_page_idx ON downloads (user_id, issued_at DESC, id DESC)
    WHERE revoked_at IS NULL;
CREATE INDEX downloads_device_active_page_idx ON downloads (device_id, issued_at DESC, id DESC)
    WHERE revoked_at IS NULL;
-- The device index above leads with device_id and has the same condition: it serves what this one did.
DROP INDEX downloads_device_active_idx;
-- GET /devices pages on (created_at, id), oldest first.
CREATE INDEX devices_user_created_idx ON devices (user_id, created_at, id);
DROP INDEX devices_user_idx;
