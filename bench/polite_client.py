#!/usr/bin/env python3
"""A well-behaved client for bench/abuse.sh: registers, starts a session a
day back, then logs one-second interruptions (POST /interruptions/) at a
steady RATE per second for SECONDS over one keep-alive connection, from the
address given in X-Forwarded-For, and prints the statuses it got and its
latency percentiles.

  polite_client.py HOST PORT RATE SECONDS ADDRESS
"""
import http.client
import json
import sys
import time
from collections import Counter
from datetime import datetime, timedelta, timezone


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def main():
    host, port, rate, seconds, address = sys.argv[1], int(sys.argv[2]), float(sys.argv[3]), float(sys.argv[4]), sys.argv[5]
    connection = http.client.HTTPConnection(host, port)
    headers = {"content-type": "application/json", "x-forwarded-for": address}

    def call(method, path, body):
        connection.request(method, path, json.dumps(body), headers)
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"null")

    _, user = call("POST", "/users/", {"name": "Polite", "email": f"polite-{time.time_ns()}@example.com"})
    headers["authorization"] = f"Bearer {user['api_token']}"
    began = datetime.now(timezone.utc).replace(microsecond=0) - timedelta(days=1)
    _, session = call("POST", "/sessions/start", {"start_time": iso(began)})
    statuses, latencies = Counter(), []
    start = time.monotonic()
    for n in range(int(rate * seconds)):
        time.sleep(max(0.0, start + n / rate - time.monotonic()))
        at = began + timedelta(seconds=2 * n)
        body = {"session_id": session["id"], "type": "phone",
                "start_time": iso(at), "end_time": iso(at + timedelta(seconds=1))}
        sent = time.perf_counter()
        status, _ = call("POST", "/interruptions/", body)
        latencies.append((time.perf_counter() - sent) * 1000)
        statuses[status] += 1
    latencies.sort()
    pick = lambda q: latencies[min(len(latencies) - 1, int(q * len(latencies)))]
    print(f"polite client: {dict(statuses)}; latency p50 {pick(0.5):.2f} ms, "
          f"p99 {pick(0.99):.2f} ms, max {latencies[-1]:.2f} ms")


if __name__ == "__main__":
    main()
