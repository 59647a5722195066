extension Migration {
    /// Payments, purchases, webhook events, idempotency keys and the domain event store.
    ///
    /// Only constructs that also run on PostgreSQL-wire distributed SQL: unique constraints,
    /// partial unique indexes and check constraints, no triggers, sequences only as identity.
    static let initialSchema = Migration(
        version: 1, name: "initial schema",
        sql: #"""
            CREATE TABLE payments (
                id                  uuid PRIMARY KEY,
                provider            text NOT NULL CHECK (provider IN ('yookassa', 'stripe')),
                provider_payment_id text,
                status              text NOT NULL CHECK (status IN ('pending', 'waiting_for_capture', 'succeeded', 'canceled', 'refunded')),
                amount_minor        bigint NOT NULL CHECK (amount_minor > 0),
                currency            text NOT NULL CHECK (currency ~ '^[A-Z]{3}$'),
                purpose             text NOT NULL CHECK (purpose IN ('booking', 'subscription', 'deal')),
                deal_id             text,
                appointment_id      text,
                service_slug        text,
                kind                text CHECK (kind IN ('deposit', 'full')),
                plan_id             text,
                user_id             text,
                description         text NOT NULL CHECK (char_length(description) <= 128),
                return_url          text CHECK (char_length(return_url) <= 2048),
                confirmation_url    text,
                failure_category    text,
                created_at          timestamptz NOT NULL DEFAULT now(),
                updated_at          timestamptz NOT NULL DEFAULT now(),
                CONSTRAINT payments_purpose_fields CHECK (
                    (purpose = 'booking' AND appointment_id IS NOT NULL AND service_slug IS NOT NULL AND kind IS NOT NULL)
                    OR (purpose = 'subscription' AND plan_id IS NOT NULL AND user_id IS NOT NULL)
                    OR (purpose = 'deal' AND provider = 'stripe' AND provider_payment_id IS NOT NULL))
            );
            CREATE UNIQUE INDEX payments_provider_payment_id ON payments (provider, provider_payment_id)
                WHERE provider_payment_id IS NOT NULL;
            CREATE UNIQUE INDEX payments_one_open_per_booking ON payments (appointment_id, kind)
                WHERE purpose = 'booking' AND status IN ('pending', 'waiting_for_capture');
            CREATE INDEX payments_deal_id ON payments (deal_id) WHERE deal_id IS NOT NULL;
            CREATE UNIQUE INDEX payments_one_open_per_subscription ON payments (user_id, plan_id)
                WHERE purpose = 'subscription' AND status IN ('pending', 'waiting_for_capture');

            CREATE TABLE purchases (
                id                         text PRIMARY KEY CHECK (char_length(id) BETWEEN 1 AND 64),
                user_id                    text NOT NULL,
                item_id                    text NOT NULL,
                amount_minor               bigint NOT NULL CHECK (amount_minor > 0),
                currency                   text NOT NULL CHECK (currency = 'XTR'),
                status                     text NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
                pay_url                    text,
                telegram_payment_charge_id text UNIQUE,
                invoice_created_at         timestamptz,
                succeeded_at               timestamptz,
                created_at                 timestamptz NOT NULL DEFAULT now(),
                updated_at                 timestamptz NOT NULL DEFAULT now()
            );
            CREATE UNIQUE INDEX purchases_one_pending_per_item ON purchases (user_id, item_id) WHERE status = 'pending';

            CREATE TABLE purchase_charges (
                telegram_payment_charge_id text PRIMARY KEY,
                provider_payment_charge_id text,
                purchase_id                text NOT NULL,
                user_id                    text NOT NULL,
                amount_minor               bigint NOT NULL,
                currency                   text NOT NULL,
                refund_due                 boolean NOT NULL,
                reason                     text,
                created_at                 timestamptz NOT NULL DEFAULT now()
            );
            CREATE INDEX purchase_charges_refund_due ON purchase_charges (created_at) WHERE refund_due;

            CREATE TABLE webhook_events (
                id                uuid PRIMARY KEY DEFAULT gen_random_uuid(),
                provider          text NOT NULL CHECK (provider IN ('yookassa', 'stripe', 'telegram')),
                event_key         text NOT NULL,
                event_type        text NOT NULL,
                object_id         text,
                object_status     text,
                amount_minor      bigint,
                currency          text,
                verification      text NOT NULL,
                outcome           text NOT NULL,
                steps             jsonb NOT NULL DEFAULT '[]',
                error             text,
                deal_id           text,
                session_id        text,
                payment_intent_id text,
                deliveries        integer NOT NULL DEFAULT 1 CHECK (deliveries > 0),
                received_at       timestamptz NOT NULL DEFAULT now(),
                updated_at        timestamptz NOT NULL DEFAULT now(),
                CONSTRAINT webhook_events_once UNIQUE (provider, event_key)
            );
            CREATE INDEX webhook_events_received_at ON webhook_events (received_at);
            CREATE INDEX webhook_events_deal_id ON webhook_events (deal_id) WHERE deal_id IS NOT NULL;

            CREATE TABLE idempotency_keys (
                scope            text NOT NULL,
                key              text NOT NULL CHECK (char_length(key) BETWEEN 1 AND 255),
                fingerprint      text NOT NULL,
                state            text NOT NULL CHECK (state IN ('in_flight', 'completed')),
                owner            uuid NOT NULL,
                locked_until     timestamptz,
                response_status  integer,
                response_headers jsonb,
                response_body    bytea,
                created_at       timestamptz NOT NULL DEFAULT now(),
                expires_at       timestamptz NOT NULL,
                PRIMARY KEY (scope, key),
                CONSTRAINT idempotency_keys_state_fields CHECK (
                    (state = 'in_flight' AND locked_until IS NOT NULL)
                    OR (state = 'completed' AND response_status IS NOT NULL AND response_body IS NOT NULL))
            );
            CREATE INDEX idempotency_keys_expires_at ON idempotency_keys (expires_at);

            CREATE TABLE events (
                seq            bigint GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
                id             uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
                type           text NOT NULL,
                aggregate_type text NOT NULL,
                aggregate_id   text NOT NULL,
                payload        jsonb NOT NULL,
                dedup_key      text UNIQUE,
                created_at     timestamptz NOT NULL DEFAULT now(),
                published_at   timestamptz
            );
            CREATE INDEX events_aggregate ON events (aggregate_type, aggregate_id);
            """#)
}
