-- Auth & users owns this table. Other modules reference users(id) but never write here.
CREATE TABLE users (
    id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    email             citext UNIQUE,              -- NULL once the account is deleted (anonymised)
    display_name      text NOT NULL,
    password_hash     text,
    roles             text[] NOT NULL DEFAULT '{}',
    email_verified_at timestamptz,
    suspended_at      timestamptz,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    deleted_at        timestamptz
);
