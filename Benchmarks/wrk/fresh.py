"""Fresh webhook deliveries for wrk: one line per request, "header value<TAB>body", never repeated.

    python3 Benchmarks/wrk/fresh.py stripe COUNT SECRET OUT
        signed checkout.session.completed events, each with its own event, session and deal id
    python3 Benchmarks/wrk/fresh.py stars COUNT DATABASE_URL OUT
        successful_payment updates, each for its own pending purchase (inserted here)
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


def stars(count, database, out):
    run = uuid.uuid4().hex[:8]
    subprocess.run(["psql", database, "-qc",
                    "INSERT INTO purchases (id, user_id, item_id, amount_minor, currency, status, invoice_created_at) "
                    f"SELECT 'wrk-{run}-' || n, 'wrk-{run}-' || n, 'hint-pack', 50, 'XTR', 'pending', now() "
                    f"FROM generate_series(1, {count}) AS n"], check=True)
    with open(out, "w") as f:
        for n in range(1, count + 1):
            update = {"update_id": 800000000 + n, "message": {"message_id": n, "date": int(time.time()),
                      "from": {"id": 1000000 + n}, "chat": {"id": 1000000 + n, "type": "private"},
                      "successful_payment": {"currency": "XTR", "total_amount": 50, "invoice_payload": f"wrk-{run}-{n}",
                                             "telegram_payment_charge_id": f"wrk-{run}-{n}", "provider_payment_charge_id": ""}}}
            f.write("\t" + json.dumps(update, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    kind, count, source, out = sys.argv[1], int(sys.argv[2]), sys.argv[3], sys.argv[4]
    {"stripe": stripe, "stars": stars}[kind](count, source, out)
