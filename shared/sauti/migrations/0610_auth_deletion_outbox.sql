-- user.deleted is published once an account's deletion has committed; until the bus has taken it,
-- deletion_published_at stays NULL and the auth-deletions job publishes it again (docs/auth.md).
ALTER TABLE users ADD COLUMN deletion_published_at timestamptz;
CREATE INDEX users_deletion_unpublished_idx ON users (deleted_at)
    WHERE deleted_at IS NOT NULL AND deletion_published_at IS NULL;
