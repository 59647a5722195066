"""The relay's speed: throughput to a fast loopback receiver with 1, 2 and 4 relays following the
outbox, and the latency from an event's commit to its receipt downstream in --follow mode.

Starts its own PostgreSQL (scripts/pg, durable settings) and the stand-ins (the downstream
receiver verifies every signature), builds release binaries, and prints a table:

    python3 Benchmarks/relay.py [--events 20000] [--relays 1,2,4] [--latency-seconds 10] [--rate 100]

Throughput: N events are written at once; R relays (`events-relay --follow`, one process each)
start, and the clock runs until the last delivery is recorded delivered. Latency: one following
relay; events are committed one a transaction at --rate per second; latency is the receiver's
arrival time minus the event's commit (both on this machine's clock).
"""
import argparse
import json
import os
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sh(*args, **kwargs):
    return subprocess.run(args, cwd=ROOT, check=True, capture_output=True, text=True, **kwargs).stdout


def exports(text):
    values = {}
    for line in text.splitlines():
        if line.startswith("export "):
            for assignment in line[len("export "):].split():
                name, _, value = assignment.partition("=")
                values[name] = value.strip("'")
    return values


class Bench:
    def __init__(self):
        for product in ("events-relay", "standins", "payctl"):
            sh("swift", "build", "-c", "release", "--product", product)
        self.bin = sh("swift", "build", "-c", "release", "--show-bin-path").strip()
        self.env = dict(os.environ)
        self.env.update(exports(sh("scripts/pg", "start", "bench-relay")))
        subprocess.run([f"{self.bin}/payctl", "migrate"], env=self.env, check=True, capture_output=True)
        self.work = tempfile.mkdtemp()
        ready = os.path.join(self.work, "standins.env")
        self.standins = subprocess.Popen([f"{self.bin}/standins", "--ready-file", ready],
                                         stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        while not os.path.exists(ready) or os.path.getsize(ready) == 0:
            time.sleep(0.05)
        with open(ready) as f:
            self.env.update(exports(f.read()))
        sinks = os.path.join(self.work, "sinks.json")
        with open(sinks, "w") as f:
            json.dump({"sinks": [{"name": "crm", "kind": "webhook", "url": self.env["DOWNSTREAM_URL"] + "/hooks/crm",
                                  "events": ["*"], "secret_env": "CRM_WEBHOOK_SECRET", "timeout_ms": 5000}]}, f)
        self.env.update({"SINKS_PATH": sinks, "CRM_WEBHOOK_SECRET": self.env["DOWNSTREAM_WEBHOOK_SECRET"],
                         "LOG_LEVEL": "warning", "RELAY_POLL_MS": "200"})

    def psql(self, sql):
        return subprocess.run(["psql", self.env["DATABASE_URL"], "-Atqc", sql], env=self.env, check=True,
                              capture_output=True, text=True).stdout.strip()

    def control(self, path, method="POST"):
        request = urllib.request.Request(self.env["DOWNSTREAM_URL"] + path, method=method, data=b"" if method == "POST" else None)
        with urllib.request.urlopen(request) as answer:
            return answer.read()

    def reset(self):
        self.psql("TRUNCATE delivery_attempts, deliveries, events RESTART IDENTITY CASCADE")
        self.control("/control/forget")

    def relays(self, count):
        return [subprocess.Popen([f"{self.bin}/events-relay", "--follow"], env=self.env,
                                 stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL) for _ in range(count)]

    @staticmethod
    def stop(processes):
        for process in processes:
            process.send_signal(signal.SIGTERM)
        for process in processes:
            process.wait(timeout=30)

    def throughput(self, events, relays):
        self.reset()
        self.psql(f"""INSERT INTO events (type, aggregate_type, aggregate_id, payload)
                      SELECT 'booking_paid', 'payment', 'p-' || n, jsonb_build_object('amount_minor', 50000, 'currency', 'RUB')
                      FROM generate_series(1, {events}) AS n""")
        started = time.monotonic()
        processes = self.relays(relays)
        while int(self.psql("SELECT count(*) FROM deliveries WHERE status = 'delivered'")) < events:
            time.sleep(0.05)
        elapsed = time.monotonic() - started
        self.stop(processes)
        received = json.loads(self.control("/received", method="GET"))
        verified = sum(1 for item in received if item.get("verified"))
        return events / elapsed, elapsed, verified

    def latency(self, seconds, rate):
        self.reset()
        processes = self.relays(1)
        time.sleep(1)
        count = int(seconds * rate)
        for _ in range(count):
            self.psql("""INSERT INTO events (type, aggregate_type, aggregate_id, payload)
                         VALUES ('booking_paid', 'payment', gen_random_uuid()::text, '{"amount_minor": 100, "currency": "RUB"}')""")
            time.sleep(1 / rate)
        while int(self.psql("SELECT count(*) FROM deliveries WHERE status = 'delivered'")) < count:
            time.sleep(0.05)
        self.stop(processes)
        committed = {}
        for line in self.psql("SELECT id, extract(epoch FROM created_at) FROM events").splitlines():
            event_id, at = line.split("|")
            committed[event_id] = float(at)
        latencies = sorted((item["arrived_at"] - committed[item["id"]]) * 1000
                           for item in json.loads(self.control("/received", method="GET")) if item["id"] in committed)
        return latencies

    def close(self):
        self.standins.terminate()
        subprocess.run(["scripts/pg", "stop", "bench-relay"], cwd=ROOT, capture_output=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20000)
    parser.add_argument("--relays", default="1,2,4")
    parser.add_argument("--latency-seconds", type=float, default=10)
    parser.add_argument("--rate", type=float, default=100)
    args = parser.parse_args()
    bench = Bench()
    try:
        print(f"relay throughput, {args.events} events to one webhook sink (signed, verified by the receiver)")
        print("relays | events/s | seconds | verified")
        for relays in [int(r) for r in args.relays.split(",")]:
            rate, elapsed, verified = bench.throughput(args.events, relays)
            print(f"{relays:6} | {rate:8.0f} | {elapsed:7.2f} | {verified}")
            if verified < args.events:
                sys.exit(f"only {verified} of {args.events} deliveries verified")
        latencies = bench.latency(args.latency_seconds, args.rate)
        p50 = statistics.median(latencies)
        p99 = latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))]
        print(f"commit → receipt, --follow, {len(latencies)} events at {args.rate:.0f}/s: "
              f"p50 {p50:.1f} ms, p99 {p99:.1f} ms, max {latencies[-1]:.1f} ms")
    finally:
        bench.close()


if __name__ == "__main__":
    main()
