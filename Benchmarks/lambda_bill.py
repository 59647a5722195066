"""The Lambda bill, side by side: drives stripe-webhook and the peer (the same FastAPI app under
Mangum, run by awslambdaric) through the stand-in Runtime API (`standins`, LAMBDA_RUNTIME_URL),
process by process, and prints what Lambda bills: init duration (process start to its first
`next`), warm duration per fresh and per duplicate Stripe delivery (event handed out to answer
received), the CPU each spends per delivery, peak RSS, the memory size each needs (128 MB steps)
and GB-seconds per million deliveries.

    python3 Benchmarks/lambda_bill.py --ours BIN --peer-python PYTHON [--cold 5] [--warm 200]

Reads the stand-ins' URLs and secrets from the environment (`standins` export lines),
OURS_DATABASE_URL and PEER_DATABASE_URL.
"""
import argparse
import json
import math
import os
import statistics
import subprocess
import time
import urllib.parse
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def call(url, body=None, method="POST"):
    request = urllib.request.Request(url, data=body, method=method)
    with urllib.request.urlopen(request, timeout=90) as response:
        return response.read(), response.headers


def stripe_event(deal):
    """A signed checkout.session.completed from the Stripe stand-in, as API Gateway (v2) hands it over."""
    body, headers = call(f"{os.environ['STRIPE_API_URL']}/_control/events?type=checkout.session.completed&deal_id={deal}")
    return json.dumps({
        "version": "2.0", "routeKey": "POST /api/webhooks/stripe", "rawPath": "/api/webhooks/stripe",
        "rawQueryString": "", "isBase64Encoded": False, "body": body.decode(),
        "headers": {"content-type": "application/json", "stripe-signature": headers["Stripe-Signature"]},
        "requestContext": {
            "accountId": "123456789012", "apiId": "bill", "domainName": "bill.example", "stage": "$default",
            "requestId": deal, "routeKey": "POST /api/webhooks/stripe", "time": "06/Dec/2026:00:00:00 +0000",
            "timeEpoch": int(time.time() * 1000),
            "http": {"method": "POST", "path": "/api/webhooks/stripe", "protocol": "HTTP/1.1",
                     "sourceIp": "54.187.174.169", "userAgent": "Stripe/1.0"},
        },
    }).encode()


def invoke(runtime, event):
    answer = json.loads(call(f"{runtime}/_control/invoke", event)[0])
    status = json.loads(answer["body"]).get("statusCode") if answer["outcome"] == "response" else None
    if status != 200:
        raise SystemExit(f"an invocation was answered {answer['outcome']} {status}: {answer['body'][:300]}")
    return answer["duration_ms"]


def cpu_ms(pid):
    """User + system CPU the process has used, in milliseconds (all its threads)."""
    with open(f"/proc/{pid}/stat") as stat:
        fields = stat.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) * 1000 / os.sysconf("SC_CLK_TCK")


def peak_rss_mb(pid):
    with open(f"/proc/{pid}/status") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return 0.0


def run_side(name, argv, env, cwd, cold, warm):
    runtime = os.environ["LAMBDA_RUNTIME_URL"]
    inits, fresh, duplicate, peaks, cpu = [], [], [], [], {"fresh": 0.0, "duplicate": 0.0}
    for start in range(cold):
        events = [stripe_event(f"bill_{name}_{int(time.time())}_{start}_{n}") for n in range(warm)]
        call(f"{runtime}/_control/reset")
        address = urllib.parse.urlsplit(runtime).netloc
        started = time.time()
        process = subprocess.Popen(argv, cwd=cwd, env=dict(env, AWS_LAMBDA_RUNTIME_API=address),
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            while True:
                try:
                    first = json.loads(call(f"{runtime}/_control/init", method="GET")[0])["first_next_at"]
                    break
                except urllib.error.HTTPError:
                    if process.poll() is not None:
                        raise SystemExit(f"{name} exited with {process.returncode} before asking for an event")
                    time.sleep(0.001)
            inits.append((first - started) * 1000)
            before = cpu_ms(process.pid)
            fresh += [invoke(runtime, event) for event in events]
            between = cpu_ms(process.pid)
            duplicate += [invoke(runtime, event) for event in events]
            cpu["fresh"] += between - before
            cpu["duplicate"] += cpu_ms(process.pid) - between
            peaks.append(peak_rss_mb(process.pid))
        finally:
            process.kill()
            process.wait()
    return {"init": inits, "fresh": fresh, "duplicate": duplicate, "peak": max(peaks),
            "cpu fresh": cpu["fresh"] / len(fresh), "cpu duplicate": cpu["duplicate"] / len(duplicate)}


def billed(durations, memory_mb):
    """GB-seconds per million invocations: each billed to the next millisecond."""
    return statistics.mean(math.ceil(d) for d in durations) / 1000 * memory_mb / 1024 * 1_000_000


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--ours", required=True)
    parser.add_argument("--peer-python", required=True)
    parser.add_argument("--cold", type=int, default=5)
    parser.add_argument("--warm", type=int, default=200)
    args = parser.parse_args()
    base = {"PATH": "/usr/bin:/bin", "LANG": "C.UTF-8", "STRIPE_WEBHOOK_SECRET": os.environ["STRIPE_WEBHOOK_SECRET"].split(",")[0]}
    sides = {
        "ours": run_side("ours", [args.ours], dict(base, DATABASE_URL=os.environ["OURS_DATABASE_URL"],
                                                 CATALOG_PATH=os.path.join(ROOT, "catalog.json"), LOG_LEVEL="info"),
                         ROOT, args.cold, args.warm),
        "peer": run_side("peer", [args.peer_python, "-m", "awslambdaric", "lambda_handler.handler"],
                         dict(base, DATABASE_URL=os.environ["PEER_DATABASE_URL"],
                              TELEGRAM_WEBHOOK_SECRET=os.environ["TELEGRAM_WEBHOOK_SECRET"], POOL_MIN_SIZE="1",
                              POOL_MAX_SIZE="1"),
                         os.path.join(ROOT, "Benchmarks", "peer"), args.cold, args.warm),
    }
    rows = {}
    print(f"{args.cold} cold starts a side, each followed by {args.warm} fresh and {args.warm} duplicate Stripe deliveries")
    print("| | ours | peer | ours / peer |")
    print("|---|---|---|---|")
    for name, side in sides.items():
        memory = max(128, math.ceil(side["peak"] / 128) * 128)
        rows[name] = {
            "init": statistics.median(side["init"]), "fresh": statistics.median(side["fresh"]),
            "duplicate": statistics.median(side["duplicate"]), "p99 fresh": sorted(side["fresh"])[int(len(side["fresh"]) * 0.99) - 1],
            "peak": side["peak"], "memory": memory,
            "cpu fresh": side["cpu fresh"], "cpu duplicate": side["cpu duplicate"],
            "gbs fresh": billed(side["fresh"], memory), "gbs duplicate": billed(side["duplicate"], memory),
            "gbs init": max(side["init"]) / 1000 * memory / 1024,
        }
    labels = [("init", "init duration (median ms)"), ("fresh", "warm fresh delivery (median ms)"),
              ("p99 fresh", "warm fresh delivery (p99 ms)"), ("duplicate", "warm duplicate delivery (median ms)"),
              ("cpu fresh", "CPU per fresh delivery (ms, user + system)"),
              ("cpu duplicate", "CPU per duplicate (ms, user + system)"), ("peak", "peak RSS (MB)"), ("memory", "memory size (MB, 128 MB steps)"),
              ("gbs fresh", "GB-s per million fresh deliveries"), ("gbs duplicate", "GB-s per million duplicates"),
              ("gbs init", "GB-s per cold start (slowest init)")]
    for key, label in labels:
        ours, peer = rows["ours"][key], rows["peer"][key]
        print(f"| {label} | {ours:,.4g} | {peer:,.4g} | {ours / peer:.3f} |")


if __name__ == "__main__":
    main()
