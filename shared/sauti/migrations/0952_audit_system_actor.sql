-- Admin (docs/admin.md): every audit entry says who. A person is actor_id; a webhook, job or command
-- is system_actor (e.g. 'stream_webhook', 'sauti catalog import'). Exactly one of the two is set;
-- NOT VALID because rows written before this migration have neither, and the table is append-only.
ALTER TABLE audit_log ADD COLUMN system_actor text
    CHECK (system_actor ~ '^[a-z][a-z0-9_ -]{0,63}$');
ALTER TABLE audit_log ADD CONSTRAINT audit_log_names_one_actor
    CHECK ((actor_id IS NULL) <> (system_actor IS NULL)) NOT VALID;
