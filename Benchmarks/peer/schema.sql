-- The comparison stack's tables, in a database of their own (`peer`) on the same PostgreSQL
-- server as the functions' `payments` database. The same facts the functions keep for these
-- endpoints: payments, Stars purchases, one row per provider event for deduplication, and an
-- outbox of domain events written in the same transaction as the change that causes them.

CREATE TABLE payments (
    id                  uuid PRIMARY KEY DEFAULT gen_random_uuid(),
    provider            text NOT NULL CHECK (provider IN ('yookassa', 'stripe')),
    provider_payment_id text,
    status              text NOT NULL CHECK (status IN ('pending', 'waiting_for_capture', 'succeeded', 'canceled', 'refunded')),
    amount_minor        bigint NOT NULL CHECK (amount_minor > 0),
    currency            text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
    purpose             text NOT NULL CHECK (purpose IN ('booking', 'subscription', 'deal')),
    appointment_id      text,
    deal_id             text,
    confirmation_url    text,
    created_at          timestamptz NOT NULL DEFAULT now(),
    updated_at          timestamptz NOT NULL DEFAULT now(),
    paid_at             timestamptz,
    CONSTRAINT payments_provider_payment_id UNIQUE (provider, provider_payment_id)
);

CREATE TABLE purchases (
    id                         text PRIMARY KEY,
    user_id                    text NOT NULL,
    item_id                    text NOT NULL,
    amount_minor               bigint NOT NULL CHECK (amount_minor > 0),
    currency                   text NOT NULL CHECK (currency = 'XTR'),
    status                     text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    telegram_payment_charge_id text UNIQUE,
    created_at                 timestamptz NOT NULL DEFAULT now(),
    updated_at                 timestamptz NOT NULL DEFAULT now(),
    succeeded_at               timestamptz
);

CREATE TABLE webhook_events (
    id          bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    provider    text NOT NULL CHECK (provider IN ('yookassa', 'stripe', 'telegram')),
    event_id    text NOT NULL,
    event_type  text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT webhook_events_once UNIQUE (provider, event_id)
);

CREATE TABLE outbox (
    id           bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    type         text NOT NULL,
    aggregate_id text NOT NULL,
    payload      jsonb NOT NULL,
    created_at   timestamptz NOT NULL DEFAULT now(),
    published_at timestamptz
);
CREATE INDEX outbox_unpublished ON outbox (id) WHERE published_at IS NULL;
