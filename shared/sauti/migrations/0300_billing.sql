-- Subscriptions & billing owns this table. Other modules ask sauti.billing.entitlements, never read it.
CREATE TABLE subscriptions (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id             uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    source              text NOT NULL CHECK (source IN ('stripe', 'apple')),
    external_id         text NOT NULL,        -- Stripe subscription id, or Apple originalTransactionId
    status              text NOT NULL,        -- the source's own state, normalised (see docs/billing.md)
    current_period_end  timestamptz,
    grace_until         timestamptz,          -- premium is kept until then while a renewal is failing
    cancel_at_period_end boolean NOT NULL DEFAULT false,
    source_updated_at   timestamptz NOT NULL, -- when the source said this: older news never overwrites newer
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, external_id)
);
CREATE INDEX subscriptions_user_idx ON subscriptions (user_id);
