-- Notifications (docs/notifications.md): a push token moves to another account only with the key its
-- app instance was handed at its last registration. SHA-256 of the key; NULL for tokens registered
-- before this migration (they move to nobody until their holder registers them again).
ALTER TABLE notification_push_tokens ADD COLUMN instance_key_hash bytea;
