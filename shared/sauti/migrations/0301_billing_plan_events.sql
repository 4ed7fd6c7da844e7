-- plan.changed events, written in the transaction of the change and published once it has committed (and
-- the entitlement cache is invalidated); the daily job publishes any the bus did not take.
CREATE TABLE billing_plan_events (
    event_id            uuid PRIMARY KEY,     -- the event's `event_id` on the bus: a re-publication keeps it
    user_id             uuid NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    detail              jsonb NOT NULL,
    created_at          timestamptz NOT NULL,
    published_at        timestamptz
);
CREATE INDEX billing_plan_events_unpublished_idx ON billing_plan_events (created_at) WHERE published_at IS NULL;

-- Apple's environment of the subscription (Production, or Sandbox for App Review's purchases); null for Stripe.
ALTER TABLE subscriptions ADD COLUMN environment text;
