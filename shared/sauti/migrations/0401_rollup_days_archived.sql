-- A day whose raw partition was detached is 'archived': its song_daily_stats are final, and the
-- rollup, backfills and the import leave it alone (rolling it up again would read no raw plays).
ALTER TABLE rollup_days DROP CONSTRAINT rollup_days_status_check;
ALTER TABLE rollup_days ADD CONSTRAINT rollup_days_status_check
    CHECK (status IN ('pending', 'done', 'archived'));

-- Days detached before this migration.
UPDATE rollup_days SET status = 'archived'
WHERE to_regclass('plays_detached_' || to_char(day, 'YYYYMMDD')) IS NOT NULL;
