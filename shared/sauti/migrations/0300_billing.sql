-- Subscriptions & billing owns these tables. Other modules ask sauti.billing.entitlements, never read them.
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
    grace_reminded_for  timestamptz,          -- the grace_until a "grace ending soon" notice was sent for
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    UNIQUE (source, external_id)
);
CREATE INDEX subscriptions_user_idx ON subscriptions (user_id);
CREATE INDEX subscriptions_grace_idx ON subscriptions (grace_until) WHERE grace_until IS NOT NULL;

-- The Stripe customer of each user (set by Checkout), for the customer portal and the next checkout.
CREATE TABLE billing_customers (
    user_id             uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    stripe_customer_id  text NOT NULL UNIQUE,
    created_at          timestamptz NOT NULL DEFAULT now()
);

-- Every webhook event acted on, once: a redelivery finds its id here and changes nothing.
CREATE TABLE billing_webhook_events (
    provider            text NOT NULL CHECK (provider IN ('stripe', 'apple')),
    event_id            text NOT NULL,        -- Stripe event id, or Apple notificationUUID
    event_type          text NOT NULL,
    outcome             text NOT NULL,        -- applied, stale, unlinked, ignored
    received_at         timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (provider, event_id)
);

-- The plan last published for each user (plan.changed): a change is published exactly when this differs.
CREATE TABLE billing_user_plans (
    user_id             uuid PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    plan                text NOT NULL CHECK (plan IN ('free', 'premium')),
    changed_at          timestamptz NOT NULL DEFAULT now()
);
