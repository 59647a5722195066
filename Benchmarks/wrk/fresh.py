"""Fresh webhook deliveries for wrk: one line per request, "header value<TAB>body", never repeated.

    python3 Benchmarks/wrk/fresh.py stripe COUNT SECRET OUT
        signed checkout.session.completed events, each with its own event, session and deal id
    python3 Benchmarks/wrk/fresh.py stars COUNT DATABASE_URL OUT [PEER_DATABASE_URL]
        successful_payment updates, each for its own pending purchase (inserted here), with
        update ids no earlier run used
    python3 Benchmarks/wrk/fresh.py yookassa COUNT DATABASE_URL OUT [PEER_DATABASE_URL]
        payment.succeeded notifications, each for its own pending booking payment (inserted here)

With PEER_DATABASE_URL, the same pending purchases or payments are also inserted into the
comparison stack's database (Benchmarks/peer/schema.sql), so one file serves both stacks.
"""
import hashlib
import hmac
import json
import subprocess
import sys
import time
import uuid


def stripe(count, secret, out):
    now = int(time.time())
    with open(out, "w") as f:
        for i in range(count):
            tag = uuid.uuid4().hex[:20]
            event = {
                "id": f"evt_wrk{tag}", "object": "event", "api_version": "2025-03-31.basil", "created": now, "livemode": False,
                "type": "checkout.session.completed",
                "data": {"object": {"id": f"cs_test_wrk{tag}", "object": "checkout.session", "amount_total": 4900, "currency": "usd",
                                    "payment_intent": f"pi_wrk{tag}", "payment_status": "paid", "status": "complete",
                                    "metadata": {"deal_id": f"deal_wrk_{tag}"}}},
            }
            body = json.dumps(event, separators=(",", ":"))
            signature = hmac.new(secret.encode(), f"{now}.{body}".encode(), hashlib.sha256).hexdigest()
            f.write(f"t={now},v1={signature}\t{body}\n")


def psql(database, sql):
    subprocess.run(["psql", database, "-qc", sql], check=True)


def stars(count, database, out, peer=None):
    run = uuid.uuid4().hex[:8]
    psql(database, "INSERT INTO purchases (id, user_id, item_id, amount_minor, currency, status, invoice_created_at) "
                   f"SELECT 'wrk-{run}-' || n, 'wrk-{run}-' || n, 'hint-pack', 50, 'XTR', 'pending', now() "
                   f"FROM generate_series(1, {count}) AS n")
    if peer:
        psql(peer, "INSERT INTO purchases (id, user_id, item_id, amount_minor, currency, status) "
                   f"SELECT 'wrk-{run}-' || n, 'wrk-{run}-' || n, 'hint-pack', 50, 'XTR', 'pending' "
                   f"FROM generate_series(1, {count}) AS n")
    # Update ids are deduplicated: each run takes a block of its own.
    first = (uuid.uuid4().int % 10**9) * 10**6
    with open(out, "w") as f:
        for n in range(1, count + 1):
            update = {"update_id": first + n, "message": {"message_id": n, "date": int(time.time()),
                      "from": {"id": 1000000 + n}, "chat": {"id": 1000000 + n, "type": "private"},
                      "successful_payment": {"currency": "XTR", "total_amount": 50, "invoice_payload": f"wrk-{run}-{n}",
                                             "telegram_payment_charge_id": f"wrk-{run}-{n}", "provider_payment_charge_id": ""}}}
            f.write("\t" + json.dumps(update, separators=(",", ":")) + "\n")


def yookassa(count, database, out, peer=None):
    run = uuid.uuid4().hex[:8]
    provider_id = f"'{run}-000f-5000-8000-' || lpad(n::text, 12, '0')"
    psql(database, "INSERT INTO payments (id, provider, provider_payment_id, status, amount_minor, currency, purpose, "
                   "appointment_id, service_slug, kind, description) "
                   f"SELECT gen_random_uuid(), 'yookassa', {provider_id}, 'pending', 50000, 'RUB', 'booking', "
                   f"'wrk-{run}-' || n, 'haircut', 'deposit', 'Deposit for Haircut, appointment wrk-{run}-' || n "
                   f"FROM generate_series(1, {count}) AS n")
    if peer:
        psql(peer, "INSERT INTO payments (provider, provider_payment_id, status, amount_minor, currency, purpose, appointment_id) "
                   f"SELECT 'yookassa', {provider_id}, 'pending', 50000, 'RUB', 'booking', 'wrk-{run}-' || n "
                   f"FROM generate_series(1, {count}) AS n")
    with open(out, "w") as f:
        for n in range(1, count + 1):
            payment = f"{run}-000f-5000-8000-{n:012d}"
            notification = {"type": "notification", "event": "payment.succeeded",
                            "object": {"id": payment, "status": "succeeded", "paid": True,
                                       "amount": {"value": "500.00", "currency": "RUB"},
                                       "created_at": "2026-11-22T10:11:41.499Z", "captured_at": "2026-11-22T10:12:06.249Z",
                                       "description": f"Deposit for Haircut, appointment wrk-{run}-{n}",
                                       "metadata": {}, "refunded_amount": {"value": "0.00", "currency": "RUB"}, "test": True}}
            f.write("\t" + json.dumps(notification, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    kind, count, source, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    extra = sys.argv[5:]
    {"stripe": stripe, "stars": stars, "yookassa": yookassa}[kind](count, source, out, *extra)
