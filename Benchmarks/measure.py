"""Runs each benchmark case as whole processes and prints one table row per case.

Each case goes through launch.c: wall time from fork to exit, peak memory the child's maximum
resident set size from wait4(2) (which includes the small launcher's pages before exec). Every answer is checked, so a fast error never passes for a fast success.
"""
import argparse
import json
import os
import statistics
import subprocess
import urllib.request


def run_case(args, name, binary, events, expect):
    """Runs `binary` once per event through the C launcher and prints the table row."""
    case = os.path.join(args.work, f"case-{abs(hash(name))}")
    os.makedirs(case, exist_ok=True)
    inputs = []
    for index, payload in enumerate(events):
        path = os.path.join(case, f"{index}.in")
        with open(path, "wb") as f:
            f.write(payload)
        inputs.append(path)
    lines = subprocess.run([os.path.join(args.work, "launch"), binary, case] + inputs,
                           capture_output=True, check=True, text=True).stdout.split("\n")
    walls, peaks, failures = [], [], 0
    for index, line in enumerate(filter(None, lines)):
        micros, kib, status = map(int, line.split())
        walls.append(micros / 1000)
        peaks.append(kib / 1024)
        with open(os.path.join(case, f"{index}.out"), "rb") as f:
            if status != 0 or not expect(f.read()):
                failures += 1
    walls.sort()
    p95 = walls[min(len(walls) - 1, int(round(0.95 * (len(walls) - 1))))]
    print(f"| {name} | {len(walls)} | {statistics.median(walls):.2f} | {p95:.2f} | {max(peaks):.1f} | {failures} |", flush=True)
    return statistics.median(walls), max(peaks)


def event(path, body, source="203.0.113.7", headers=None):
    headers = dict({"content-type": "application/json"}, **(headers or {}))
    return json.dumps({
        "version": "2.0", "rawPath": path, "headers": headers, "isBase64Encoded": False,
        "body": body if isinstance(body, str) else json.dumps(body),
        "requestContext": {"requestId": "bench", "http": {"method": "POST", "path": path, "sourceIp": source}},
    }).encode()


def status_is(code):
    return lambda out: json.loads(out).get("statusCode") == code


def outcome_is(outcome):
    return lambda out: json.loads(json.loads(out)["body"]).get("outcome") == outcome


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--bin", required=True)
    parser.add_argument("--work", required=True)
    parser.add_argument("--runs", type=int, default=200)
    args = parser.parse_args()
    n = args.runs
    create = os.path.join(args.bin, "create-intent")
    webhook = os.path.join(args.bin, "yookassa-webhook")
    api = os.environ["YOOKASSA_API_URL"]

    sizes = ", ".join(f"{name} {os.path.getsize(os.path.join(args.bin, name)) // 1024} KiB"
                      for name in ("create-intent", "yookassa-webhook", "stripe-webhook", "stars-invoice", "stars-webhook"))
    print(f"runs per case: {n}; binaries: {sizes}")
    print()
    print("| case | runs | median ms | p95 ms | peak RSS MiB | failures |")
    print("|---|---|---|---|---|---|")

    probe = event("/probe", {"appointment_id": "apt-1", "service_slug": "haircut", "kind": "deposit"})
    for linking in ("static", "dynamic"):
        for foundation, label in (("essentials", "FoundationEssentials"), ("foundation", "full Foundation")):
            run_case(args, f"probe: JSON decode, {label}, {linking} stdlib",
                     os.path.join(args.work, f"probe-{foundation}-{linking}"), [probe] * n, lambda out: out.strip() != b"")

    floor = os.path.join(args.work, "floor")
    floor_new = run_case(args, "C floor: stdin, HMAC, libpq connect, INSERT … ON CONFLICT, new", floor,
                         [event("/floor", {"n": i}) for i in range(n)], status_is(200))
    floor_duplicate = run_case(args, "C floor: the same, duplicate", floor, [event("/floor", {"n": 0})] * n, status_is(200))
    # gssencmode matters on TCP only: the same floor to 127.0.0.1 with it off (the default) and on.
    tcp = f"postgresql://postgres@127.0.0.1:{os.environ['PAYFN_PG_TCP_PORT']}/payments"
    for mode in ("disable", "prefer"):
        os.environ["DATABASE_URL"], unix_url = f"{tcp}?gssencmode={mode}", os.environ["DATABASE_URL"]
        run_case(args, f"C floor over TCP, gssencmode={mode}, duplicate", floor, [event("/floor", {"n": 0})] * n, status_is(200))
        os.environ["DATABASE_URL"] = unix_url
    ratios = []

    invalid = event("/api/public/payments", "{not json")
    run_case(args, "create-intent: invalid JSON (no database)", create, [invalid] * n, status_is(400))

    bookings = [event("/api/public/payments", {"appointment_id": f"apt-bench-{i}", "service_slug": "haircut", "kind": "deposit"})
                for i in range(n)]
    run_case(args, "create-intent: new booking (DB + provider call)", create, bookings, status_is(201))

    replay = event("/api/public/payments", {"plan_id": "basic", "user_id": "bench-user"}, headers={"idempotency-key": "bench-replay"})
    subprocess.run([create], input=replay, capture_output=True, check=True)
    run_case(args, "create-intent: idempotent replay", create, [replay] * n, status_is(201))

    ids = subprocess.run(["psql", os.environ["DATABASE_URL"], "-Atc",
                          "SELECT provider_payment_id FROM payments WHERE appointment_id LIKE 'apt-bench-%'"],
                         capture_output=True, check=True, text=True).stdout.split()
    notifications = []
    for provider_id in ids:
        request = urllib.request.Request(f"{api}/_control/payments/{provider_id}/succeed?as=event", method="POST")
        notifications.append(urllib.request.urlopen(request).read())
    ratios.append(("yookassa-webhook new (+ API check)", run_case(args, "yookassa-webhook: new payment.succeeded (API check + DB)", webhook, notifications, outcome_is("processed")), floor_new))
    ratios.append(("yookassa-webhook duplicate (+ API check)", run_case(args, "yookassa-webhook: duplicate delivery", webhook, [notifications[0]] * n, outcome_is("duplicate")), floor_duplicate))
    untrusted = event("/api/webhooks/yookassa", "{}", source="203.0.113.9")
    run_case(args, "yookassa-webhook: untrusted source (no database)", webhook, [untrusted] * n, status_is(403))

    stripe = os.path.join(args.bin, "stripe-webhook")
    stripe_api = os.environ["STRIPE_API_URL"]
    deliveries = []
    for i in range(n):
        request = urllib.request.Request(
            f"{stripe_api}/_control/events?type=checkout.session.completed&deal_id=deal_bench_{i}&as=event", method="POST")
        deliveries.append(urllib.request.urlopen(request).read())
    ratios.append(("stripe-webhook new", run_case(args, "stripe-webhook: new checkout.session.completed (HMAC + DB)", stripe, deliveries, outcome_is("processed")), floor_new))
    ratios.append(("stripe-webhook duplicate", run_case(args, "stripe-webhook: duplicate delivery", stripe, [deliveries[0]] * n, outcome_is("duplicate")), floor_duplicate))

    invoice = os.path.join(args.bin, "stars-invoice")
    stars_webhook = os.path.join(args.bin, "stars-webhook")
    invoices = [event("/api/v1/purchase/invoice", {"user_id": 800000 + i, "item_id": "hint-pack", "purchase_id": f"bench-{i}"})
                for i in range(n)]
    run_case(args, "stars-invoice: new invoice (mock link, DB)", invoice, invoices, status_is(201))
    telegram = os.environ["TELEGRAM_API_URL"]
    updates = [urllib.request.urlopen(urllib.request.Request(
        f"{telegram}/_control/updates/successful_payment?purchase_id=bench-{i}&user_id={800000 + i}&amount=50&as=event",
        method="POST")).read() for i in range(n)]
    ratios.append(("stars-webhook new", run_case(args, "stars-webhook: successful_payment (DB)", stars_webhook, updates, outcome_is("processed")), floor_new))
    ratios.append(("stars-webhook duplicate", run_case(args, "stars-webhook: duplicate update", stars_webhook, [updates[0]] * n, outcome_is("duplicate")), floor_duplicate))

    print()
    print("| webhook case | median / floor median | peak RSS / floor peak |")
    print("|---|---|---|")
    for name, (median, peak), (floor_median, floor_peak) in ratios:
        print(f"| {name} | {median / floor_median:.2f}x | {peak / floor_peak:.2f}x |")


if __name__ == "__main__":
    main()
