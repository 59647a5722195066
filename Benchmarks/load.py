"""Webhook load through a running gateway (scripts/gateway start), counted afterwards.

Makes N distinct provider events (YooKassa notifications for real payments, signed Stripe
events, Telegram successful_payment updates for real invoices), adds duplicates, shuffles,
delivers them with C concurrent senders, optionally stops PostgreSQL for a few seconds in the
middle, redelivers every delivery that got no 2xx (as the providers would), and then checks the
database holds exactly one effect per event, waits for the relays to deliver every event and checks
the receivers (the downstream stand-in) took each once. Prints the figures and exits non-zero on any
mismatch or on a 5xx outside the outage.

With --gateways (default: PAYFN_GATEWAY_URL) naming several gateways, "hosts" of one deployment
(scripts/gateway start NAME --join OTHER), the deliveries take turns among them, so an event's
duplicates reach different hosts at once.

    python3 Benchmarks/load.py --deliveries 10000 --duplicates 0.3 --concurrency 16 [--outage-at 0.3]
        [--gateways URL,URL]
"""
import argparse
import concurrent.futures
import http.client
import json
import os
import random
import subprocess
import threading
import time
import urllib.parse
import urllib.request


def environment():
    values = {}
    with open(os.path.join(os.environ["PAYFN_GATEWAY_DIR"], "functions.env")) as f:
        for line in f:
            for assignment in line.replace("export ", "").split():
                name, _, value = assignment.partition("=")
                values[name] = value.strip("'")
    return values


class Sender:
    """One keep-alive HTTP connection per thread to the gateway."""

    def __init__(self, url):
        self.parts = urllib.parse.urlsplit(url)
        self.local = threading.local()

    def post(self, path, body, headers):
        for attempt in range(3):
            connection = getattr(self.local, "connection", None)
            if connection is None:
                connection = self.local.connection = http.client.HTTPConnection(self.parts.hostname, self.parts.port, timeout=60)
            try:
                connection.request("POST", path, body=body, headers=dict(headers, **{"Content-Type": "application/json"}))
                response = connection.getresponse()
                return response.status, response.read()
            except (http.client.HTTPException, OSError):
                connection.close()
                self.local.connection = None
        return 0, b""


def control(url):
    return urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=30).read()


def sql(database, query):
    return subprocess.run(["psql", database, "-Atc", query], capture_output=True, check=True, text=True).stdout.strip()


def prepare(env, count, sender, run):
    """count distinct deliveries: (kind, key, path, body, headers)."""
    events = []
    thirds = [count // 3 + (1 if i < count % 3 else 0) for i in range(3)]

    def yookassa(i):
        status, body = sender.post("/api/public/payments", json.dumps({"plan_id": "basic", "user_id": f"load-{run}-{i}"}), {})
        assert status == 201, (status, body)
        local = json.loads(body)["payment_id"]
        provider = sql(env["DATABASE_URL"], f"SELECT provider_payment_id FROM payments WHERE id = '{local}'")
        note = control(f"{env['YOOKASSA_API_URL']}/_control/payments/{provider}/succeed")
        return ("yookassa", local, "/api/webhooks/yookassa", note, {"X-Forwarded-For": "185.71.76.5"})

    def stripe(i):
        deal = f"load_{run}_{i}"
        url = f"{env['STRIPE_API_URL']}/_control/events?type=checkout.session.completed&deal_id={deal}"
        response = urllib.request.urlopen(urllib.request.Request(url, method="POST"), timeout=30)
        return ("stripe", deal, "/api/webhooks/stripe", response.read(), {"Stripe-Signature": response.headers["Stripe-Signature"]})

    def telegram(i):
        purchase, user = f"load-{run}-{i}", 900000 + i
        status, body = sender.post("/api/v1/purchase/invoice", json.dumps({"user_id": user, "item_id": "hint-pack", "purchase_id": purchase}), {})
        assert status == 201, (status, body)
        event = json.loads(control(f"{env['TELEGRAM_API_URL']}/_control/updates/successful_payment"
                                   f"?purchase_id={purchase}&user_id={user}&amount=50&as=event"))
        return ("telegram", purchase, "/api/v1/purchase/webhook", event["body"].encode(),
                {"X-Telegram-Bot-Api-Secret-Token": env["TELEGRAM_WEBHOOK_SECRET"]})

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        for make, n in zip((yookassa, stripe, telegram), thirds):
            events += list(pool.map(make, range(n)))
    return events


def expected_counts(events):
    """The distinct events of each provider."""
    expected = {"yookassa": 0, "stripe": 0, "telegram": 0}
    for kind, *_ in events:
        expected[kind] += 1
    return expected


def verify(env, events, run):
    """Mismatches between what was delivered and what the database holds."""
    database = env["DATABASE_URL"]
    expected = expected_counts(events)
    checks = {
        "yookassa payments succeeded": (sql(database, f"SELECT count(*) FROM payments WHERE user_id LIKE 'load-{run}-%' AND status = 'succeeded'"), expected["yookassa"]),
        "subscription_paid events": (sql(database, f"SELECT count(*) FROM events WHERE type = 'subscription_paid' AND payload->>'user_id' LIKE 'load-{run}-%'"), expected["yookassa"]),
        "deal_paid events": (sql(database, f"SELECT count(*) FROM events WHERE type = 'deal_paid' AND payload->>'deal_id' LIKE 'load_{run}_%'"), expected["stripe"]),
        "distinct deals paid": (sql(database, f"SELECT count(DISTINCT payload->>'deal_id') FROM events WHERE type = 'deal_paid' AND payload->>'deal_id' LIKE 'load_{run}_%'"), expected["stripe"]),
        "purchases succeeded": (sql(database, f"SELECT count(*) FROM purchases WHERE id LIKE 'load-{run}-%' AND status = 'succeeded'"), expected["telegram"]),
        "purchase_succeeded events": (sql(database, f"SELECT count(*) FROM events WHERE type = 'purchase_succeeded' AND aggregate_id LIKE 'load-{run}-%'"), expected["telegram"]),
        "Stars charges kept": (sql(database, f"SELECT count(*) FROM purchase_charges WHERE purchase_id LIKE 'load-{run}-%'"), expected["telegram"]),
        "charges flagged for refund": (sql(database, f"SELECT count(*) FROM purchase_charges WHERE purchase_id LIKE 'load-{run}-%' AND refund_due"), 0),
    }
    return {name: (int(got), want) for name, (got, want) in checks.items() if int(got) != want}, checks


def received_downstream(env, events, run, outage, wait_seconds=120):
    """Waits for the relays to settle the run's deliveries; then the mismatches between the events
    and what the receivers took: each event delivered, and taken exactly once (at least once when
    PostgreSQL was stopped mid-run, where a sent delivery may not have been recorded as sent)."""
    database = env["DATABASE_URL"]
    mine = (f"(e.payload->>'deal_id' LIKE 'load_{run}_%' OR e.payload->>'user_id' LIKE 'load-{run}-%' "
            f"OR e.aggregate_id LIKE 'load-{run}-%')")
    deadline = time.time() + wait_seconds
    while True:
        counts = dict(line.split("|") for line in sql(database, f"SELECT d.status, count(*) FROM deliveries d JOIN events e ON e.seq = d.event_seq WHERE {mine} GROUP BY d.status").splitlines())
        if not {"pending", "retrying"} & counts.keys() or time.time() > deadline:
            break
        time.sleep(0.5)
    expected = expected_counts(events)
    received = json.loads(urllib.request.urlopen(f"{env['DOWNSTREAM_URL']}/received", timeout=30).read())
    taken = {}
    for entry in received:
        if not 200 <= entry["status"] < 300:
            continue
        if entry["kind"] == "webhook" and entry["type"] == "deal_paid" and f'"load_{run}_' in entry["body"]:
            taken.setdefault(("crm", entry["id"]), []).append(entry)
        elif entry["kind"] == "subscription" and entry["user_id"].startswith(f"load-{run}-"):
            taken.setdefault(("users", entry["user_id"]), []).append(entry)
    twice = sum(len(entries) - 1 for entries in taken.values())
    checks = {
        "deliveries delivered": (int(counts.get("delivered", 0)), sum(expected.values())),
        "deal_paid taken by the CRM": (sum(1 for sink, _ in taken if sink == "crm"), expected["stripe"]),
        "subscriptions taken by the user service": (sum(1 for sink, _ in taken if sink == "users"), expected["yookassa"]),
        "taken more than once": (twice, twice if outage else 0),
    }
    return {name: value for name, value in checks.items() if value[0] != value[1]}, checks


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=10000)
    parser.add_argument("--duplicates", type=float, default=0.3)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--outage-at", type=float, help="stop PostgreSQL for --outage-seconds after this share of deliveries")
    parser.add_argument("--outage-seconds", type=float, default=3.0)
    parser.add_argument("--gateways", default=os.environ.get("PAYFN_GATEWAY_URL"), help="comma-separated gateway URLs")
    args = parser.parse_args()
    gateways = args.gateways.split(",")
    env = environment()
    run = f"{int(time.time())}{random.randint(100, 999)}"
    senders = [Sender(gateway) for gateway in gateways]
    sender = senders[0]
    distinct = int(round(args.deliveries * (1 - args.duplicates)))
    started = time.time()
    events = prepare(env, distinct, sender, run)
    prepared = time.time() - started
    deliveries = events + [random.choice(events) for _ in range(args.deliveries - len(events))]
    random.shuffle(deliveries)

    outage = {"from": None, "to": None}
    results = [None] * len(deliveries)
    done = [0]
    lock = threading.Lock()

    def deliver(index):
        kind, key, path, body, headers = deliveries[index]
        sent = time.time()
        status, _ = senders[index % len(senders)].post(path, body, headers)
        results[index] = (status, sent, time.time())
        with lock:
            done[0] += 1
            if args.outage_at is not None and outage["from"] is None and done[0] >= args.outage_at * len(deliveries):
                outage["from"] = time.time()
                threading.Thread(target=take_database_down).start()

    def take_database_down():
        name = os.path.basename(os.environ.get("PAYFN_GATEWAY_PG", "gateway-test"))
        subprocess.run(["scripts/pg", "pause", name], check=True)
        time.sleep(args.outage_seconds)
        subprocess.run(["scripts/pg", "resume", name], check=True)
        outage["to"] = time.time()

    started = time.time()
    with concurrent.futures.ThreadPoolExecutor(args.concurrency) as pool:
        list(pool.map(deliver, range(len(deliveries))))
    while args.outage_at is not None and outage["to"] is None:
        time.sleep(0.1)
    elapsed = time.time() - started
    statuses = {}
    for status, _, _ in results:
        statuses[status] = statuses.get(status, 0) + 1
    in_outage = lambda sent, answered: outage["from"] is not None and sent <= (outage["to"] or 1e18) + 1 and answered >= outage["from"] - 1
    stray = sum(1 for status, sent, answered in results if status >= 500 and not in_outage(sent, answered))
    failed = [i for i, (status, _, _) in enumerate(results) if not 200 <= status < 300]
    # Redeliver what got no 2xx, as the providers do, until it is taken.
    redelivered = 0
    for _ in range(5):
        if not failed:
            break
        retry = []
        for index in failed:
            kind, key, path, body, headers = deliveries[index]
            status, _ = sender.post(path, body, headers)
            redelivered += 1
            if not 200 <= status < 300:
                retry.append(index)
        failed = retry
    mismatches, checks = verify(env, events, run)
    downstream_mismatches, downstream_checks = received_downstream(env, events, run, outage["from"] is not None)
    mismatches.update(downstream_mismatches)
    checks.update(downstream_checks)
    print(f"distinct events {len(events)} (prepared in {prepared:.1f}s), deliveries {len(deliveries)} through {len(gateways)} gateway(s), concurrency {args.concurrency}")
    print(f"delivered in {elapsed:.1f}s: {len(deliveries) / elapsed:.0f} deliveries/s; statuses {dict(sorted(statuses.items()))}")
    if outage["from"] is not None:
        print(f"PostgreSQL stopped for {outage['to'] - outage['from']:.1f}s; 5xx during the outage: {sum(1 for s, a, b in results if s >= 500) - stray}")
    print(f"5xx outside an outage: {stray}; redelivered: {redelivered}; still refused: {len(failed)}")
    for name, (got, want) in checks.items():
        print(f"  {name}: {got} (expected {want})")
    ok = stray == 0 and not failed and not mismatches
    print("load: " + ("1 passed, 0 failed" if ok else "0 passed, 1 failed"))
    raise SystemExit(0 if ok else 1)


if __name__ == "__main__":
    main()
