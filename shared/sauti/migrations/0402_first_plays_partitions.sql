-- The first week of daily plays partitions, today (UTC) included. The analytics-partitions job only
-- creates days after today, so that no live insert waits for a partition being made under it. On
-- a database where the job already ran these exist and nothing happens. Same steps as the job: rows
-- already waiting in the default partition are moved while it is locked against writes.
DO $$
DECLARE
    first_day date := (now() AT TIME ZONE 'UTC')::date;
    day date;
    name text;
    day_start timestamptz;
    day_end timestamptz;
BEGIN
    FOR ahead IN 0..7 LOOP
        day := first_day + ahead;
        name := 'plays_' || to_char(day, 'YYYYMMDD');
        CONTINUE WHEN to_regclass(name) IS NOT NULL;
        day_start := day::timestamp AT TIME ZONE 'UTC';
        day_end := (day + 1)::timestamp AT TIME ZONE 'UTC';
        EXECUTE format('CREATE TABLE %I (LIKE plays INCLUDING DEFAULTS INCLUDING CONSTRAINTS)', name);
        LOCK TABLE plays_default IN SHARE ROW EXCLUSIVE MODE;
        EXECUTE format(
            'WITH moved AS (DELETE FROM plays_default WHERE played_at >= %L AND played_at < %L RETURNING *)
             INSERT INTO %I SELECT * FROM moved', day_start, day_end, name);
        EXECUTE format('ALTER TABLE plays ATTACH PARTITION %I FOR VALUES FROM (%L) TO (%L)',
                       name, day_start, day_end);
    END LOOP;
END $$;
