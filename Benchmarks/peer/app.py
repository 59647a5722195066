"""The comparison stack for Benchmarks/side-by-side: the endpoints the payment functions serve,
as a Python team would write them with FastAPI, uvicorn and psycopg 3's async connection pool.

    POST /api/webhooks/stripe          Stripe-Signature verified by the stripe library
    POST /api/webhooks/yookassa        source address checked against YooKassa's networks
    POST /api/v1/purchase/webhook      Telegram secret token, Stars successful_payment
    GET  /api/v1/payments/{payment_id} one payment
    GET  /health

Each webhook is deduplicated on the provider's event id, and its change and the outbox event it
causes commit in one transaction. Settings come from the environment: DATABASE_URL,
STRIPE_WEBHOOK_SECRET, TELEGRAM_WEBHOOK_SECRET, TRUSTED_PROXIES (default 127.0.0.1 and ::1),
POOL_MIN_SIZE and POOL_MAX_SIZE (per worker, default 4 and 10).
"""

import hmac
import ipaddress
import logging
import os
from contextlib import asynccontextmanager
from decimal import Decimal, InvalidOperation
from typing import Annotated, Literal
from uuid import UUID

import psycopg
import stripe
from fastapi import Depends, FastAPI, Header, HTTPException, Request
from fastapi.responses import JSONResponse
from psycopg.types.json import Jsonb
from psycopg_pool import AsyncConnectionPool
from pydantic import BaseModel

DATABASE_URL = os.environ["DATABASE_URL"]
STRIPE_WEBHOOK_SECRET = os.environ["STRIPE_WEBHOOK_SECRET"]
TELEGRAM_WEBHOOK_SECRET = os.environ["TELEGRAM_WEBHOOK_SECRET"]
STRIPE_TOLERANCE_SECONDS = 300


def networks(text: str) -> list[ipaddress.IPv4Network | ipaddress.IPv6Network]:
    return [ipaddress.ip_network(item.strip()) for item in text.split(",") if item.strip()]


# The networks YooKassa publishes as the sources of its notifications.
YOOKASSA_NETWORKS = networks(
    "185.71.76.0/27,185.71.77.0/27,77.75.153.0/25,77.75.156.11,77.75.156.35,77.75.154.128/25,2a02:5180::/32"
)
TRUSTED_PROXIES = networks(os.environ.get("TRUSTED_PROXIES", "127.0.0.1/32,::1/128"))

log = logging.getLogger("peer")
logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")

# Reads run as single statements (autocommit); each webhook opens its own transaction.
pool = AsyncConnectionPool(
    DATABASE_URL,
    min_size=int(os.environ.get("POOL_MIN_SIZE", "4")),
    max_size=int(os.environ.get("POOL_MAX_SIZE", "10")),
    kwargs={"autocommit": True},
    open=False,
)


@asynccontextmanager
async def lifespan(_: FastAPI):
    await pool.open(wait=True)
    yield
    await pool.close()


app = FastAPI(title="payments peer", lifespan=lifespan)


def minor_units(value: str) -> int:
    """ "299.00" → 29900; a value with more than two decimals is refused."""
    amount = Decimal(value) * 100
    if amount != amount.to_integral_value():
        raise InvalidOperation(value)
    return int(amount)


def decimal_string(minor: int) -> str:
    return f"{minor // 100}.{minor % 100:02d}"


# Stripe


@app.post("/api/webhooks/stripe")
async def stripe_webhook(request: Request, stripe_signature: Annotated[str | None, Header()] = None):
    payload = await request.body()
    try:
        event = stripe.Webhook.construct_event(
            payload, stripe_signature, STRIPE_WEBHOOK_SECRET, tolerance=STRIPE_TOLERANCE_SECONDS
        )
    except ValueError:
        raise HTTPException(400, "invalid payload")
    except stripe.SignatureVerificationError:
        log.warning("stripe signature verification failed")
        raise HTTPException(400, "signature verification failed")

    async with pool.connection() as conn, conn.transaction():
        cursor = await conn.execute(
            "INSERT INTO webhook_events (provider, event_id, event_type) VALUES ('stripe', %s, %s) "
            "ON CONFLICT DO NOTHING",
            (event.id, event.type),
        )
        if cursor.rowcount == 0:
            log.info("stripe %s %s duplicate", event.id, event.type)
            return {"received": True, "duplicate": True}

        outcome = "ignored"
        session = event.data.object
        if event.type == "checkout.session.completed" and session.payment_status == "paid":
            metadata = getattr(session, "metadata", None) or {}
            deal_id = metadata["deal_id"] if "deal_id" in metadata else None
            # Forward only: a payment already final is left as it is.
            cursor = await conn.execute(
                """
                INSERT INTO payments (provider, provider_payment_id, status, amount_minor, currency, purpose, deal_id, paid_at)
                VALUES ('stripe', %s, 'succeeded', %s, %s, 'deal', %s, now())
                ON CONFLICT (provider, provider_payment_id) DO UPDATE
                    SET status = 'succeeded', paid_at = now(), updated_at = now()
                    WHERE payments.status IN ('pending', 'waiting_for_capture')
                RETURNING id
                """,
                (session.id, session.amount_total, session.currency.upper(), deal_id),
            )
            payment = await cursor.fetchone()
            if payment is None:
                outcome = "already_final"
            else:
                await conn.execute(
                    "INSERT INTO outbox (type, aggregate_id, payload) VALUES ('deal_paid', %s, %s)",
                    (
                        str(payment[0]),
                        Jsonb(
                            {
                                "payment_id": str(payment[0]),
                                "deal_id": deal_id,
                                "session_id": session.id,
                                "payment_intent_id": session.payment_intent,
                                "amount_minor": session.amount_total,
                                "currency": session.currency.upper(),
                                "stripe_event_id": event.id,
                            }
                        ),
                    ),
                )
                outcome = "processed"
    log.info("stripe %s %s %s", event.id, event.type, outcome)
    return {"received": True}


# YooKassa


class YooKassaAmount(BaseModel):
    value: str
    currency: str


class YooKassaObject(BaseModel):
    id: str
    status: str
    amount: YooKassaAmount | None = None


class YooKassaNotification(BaseModel):
    type: Literal["notification"]
    event: str
    object: YooKassaObject


def client_address(request: Request) -> ipaddress.IPv4Address | ipaddress.IPv6Address | None:
    """The caller's address: the connecting peer, or behind trusted proxies the last address in
    X-Forwarded-For that is not one of them. On a Unix socket the peer is the front proxy."""

    def parse(text: str):
        try:
            address = ipaddress.ip_address(text.strip())
        except ValueError:
            return None
        return getattr(address, "ipv4_mapped", None) or address

    def trusted(address) -> bool:
        return any(address in network for network in TRUSTED_PROXIES)

    if request.client is not None and request.client.host:
        current = parse(request.client.host)
        if current is None or not trusted(current):
            return current
    hops = [hop for value in request.headers.getlist("x-forwarded-for") for hop in value.split(",") if hop.strip()]
    current = None
    for hop in reversed(hops):
        current = parse(hop)
        if current is None or not trusted(current):
            return current
    return current


def yookassa_source(request: Request) -> None:
    address = client_address(request)
    if address is None or not any(address in network for network in YOOKASSA_NETWORKS):
        log.warning("yookassa notification from an untrusted source %s", address)
        raise HTTPException(403, "untrusted source")


@app.post("/api/webhooks/yookassa", dependencies=[Depends(yookassa_source)])
async def yookassa_webhook(notification: YooKassaNotification):
    payment_id = notification.object.id
    event_id = f"{notification.event}:{payment_id}"
    if notification.event != "payment.succeeded":
        log.info("yookassa %s ignored", event_id)
        return {"received": True}

    async with pool.connection() as conn, conn.transaction() as transaction:
        cursor = await conn.execute(
            "INSERT INTO webhook_events (provider, event_id, event_type) VALUES ('yookassa', %s, %s) "
            "ON CONFLICT DO NOTHING",
            (event_id, notification.event),
        )
        if cursor.rowcount == 0:
            log.info("yookassa %s duplicate", event_id)
            return {"received": True, "duplicate": True}
        cursor = await conn.execute(
            "SELECT id, status, amount_minor, currency FROM payments "
            "WHERE provider = 'yookassa' AND provider_payment_id = %s FOR UPDATE",
            (payment_id,),
        )
        payment = await cursor.fetchone()
        if payment is None:
            # Not recorded as seen: a redelivery once the payment exists is applied.
            raise psycopg.Rollback(transaction)

        local_id, status, amount_minor, currency = payment
        amount = notification.object.amount
        try:
            matches = amount is not None and (minor_units(amount.value), amount.currency) == (amount_minor, currency)
        except InvalidOperation:
            matches = False
        if not matches:
            outcome = "amount_mismatch"
        elif status not in ("pending", "waiting_for_capture"):
            outcome = "already_final"
        else:
            await conn.execute(
                "UPDATE payments SET status = 'succeeded', paid_at = now(), updated_at = now() WHERE id = %s",
                (local_id,),
            )
            await conn.execute(
                "INSERT INTO outbox (type, aggregate_id, payload) VALUES ('booking_paid', %s, %s)",
                (
                    str(local_id),
                    Jsonb(
                        {
                            "payment_id": str(local_id),
                            "provider_payment_id": payment_id,
                            "amount_minor": amount_minor,
                            "currency": currency,
                        }
                    ),
                ),
            )
            outcome = "processed"
    if payment is None:
        log.warning("yookassa %s unknown payment", event_id)
        return JSONResponse({"received": True, "unknown_payment": True}, status_code=202)
    log.info("yookassa %s %s", event_id, outcome)
    return {"received": True}


# Telegram Stars


class SuccessfulPayment(BaseModel):
    currency: str
    total_amount: int
    invoice_payload: str
    telegram_payment_charge_id: str


class Message(BaseModel):
    successful_payment: SuccessfulPayment | None = None


class Update(BaseModel):
    update_id: int
    message: Message | None = None


def telegram_secret(x_telegram_bot_api_secret_token: Annotated[str | None, Header()] = None) -> None:
    given = (x_telegram_bot_api_secret_token or "").encode()
    if not hmac.compare_digest(given, TELEGRAM_WEBHOOK_SECRET.encode()):
        log.warning("telegram webhook with a missing or wrong secret token")
        raise HTTPException(403, "invalid secret token")


@app.post("/api/v1/purchase/webhook", dependencies=[Depends(telegram_secret)])
async def telegram_webhook(update: Update):
    payment = update.message.successful_payment if update.message else None
    async with pool.connection() as conn, conn.transaction():
        cursor = await conn.execute(
            "INSERT INTO webhook_events (provider, event_id, event_type) VALUES ('telegram', %s, %s) "
            "ON CONFLICT DO NOTHING",
            (str(update.update_id), "successful_payment" if payment else "other"),
        )
        if cursor.rowcount == 0:
            log.info("telegram update %s duplicate", update.update_id)
            return {"ok": True}
        outcome = "ignored"
        if payment is not None:
            cursor = await conn.execute(
                """
                UPDATE purchases
                SET status = 'succeeded', telegram_payment_charge_id = %s, succeeded_at = now(), updated_at = now()
                WHERE id = %s AND status = 'pending' AND amount_minor = %s AND currency = %s
                RETURNING user_id, item_id
                """,
                (payment.telegram_payment_charge_id, payment.invoice_payload, payment.total_amount, payment.currency),
            )
            purchase = await cursor.fetchone()
            if purchase is None:
                outcome = "not_pending_or_amount_differs"
            else:
                await conn.execute(
                    "INSERT INTO outbox (type, aggregate_id, payload) VALUES ('purchase_succeeded', %s, %s)",
                    (
                        payment.invoice_payload,
                        Jsonb(
                            {
                                "purchase_id": payment.invoice_payload,
                                "user_id": purchase[0],
                                "item_id": purchase[1],
                                "amount": payment.total_amount,
                                "currency": payment.currency,
                                "telegram_payment_charge_id": payment.telegram_payment_charge_id,
                            }
                        ),
                    ),
                )
                outcome = "processed"
    log.info("telegram update %s %s", update.update_id, outcome)
    return {"ok": True}


# Read side


@app.get("/api/v1/payments/{payment_id}")
async def get_payment(payment_id: UUID):
    async with pool.connection() as conn:
        cursor = await conn.execute(
            "SELECT id, status, amount_minor, currency, purpose, created_at, paid_at, confirmation_url "
            "FROM payments WHERE id = %s",
            (payment_id,),
        )
        row = await cursor.fetchone()
    if row is None:
        raise HTTPException(404, "payment not found")
    local_id, status, amount_minor, currency, purpose, created_at, paid_at, confirmation_url = row
    body = {
        "payment_id": str(local_id),
        "status": status,
        "amount": {"value": decimal_string(amount_minor), "currency": currency},
        "purpose": purpose,
        "created_at": created_at.isoformat(),
    }
    if paid_at is not None:
        body["paid_at"] = paid_at.isoformat()
    if confirmation_url is not None and status in ("pending", "waiting_for_capture"):
        body["confirmation_url"] = confirmation_url
    return body


@app.get("/health")
async def health():
    try:
        async with pool.connection() as conn:
            await conn.execute("SELECT 1")
    except Exception:
        log.exception("health check failed")
        return JSONResponse({"status": "unavailable"}, status_code=503)
    return {"status": "ok"}
