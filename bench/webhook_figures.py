#!/usr/bin/env python3
"""The delivery figures of bench/webhooks.sh.

  webhook_figures.py drain DATABASE_URL RECEIVER_URL [SINCE_MS]
  webhook_figures.py latency BASE_URL DATABASE_URL RECEIVER_URL USERS_FILE

drain: waits until every outbox row has reached the receiver and gives
deliveries/s from the first receipt to the last (since SINCE_MS, Unix
milliseconds; run it on a backlog to measure delivery alone). latency: 400 writes one at a time, 20 ms apart, by
the first user of USERS_FILE; for each, the time from its outbox row's
created_at (written in the write's transaction, so at most the commit) to
its first receipt.
"""
import json
import sqlite3
import subprocess
import sys
import time
import urllib.request
from datetime import datetime, timedelta, timezone


def rows(database, sql):
    if database.startswith("sqlite://"):
        conn = sqlite3.connect(database[len("sqlite://"):])
        found = conn.execute(sql).fetchall()
        conn.close()
        return found
    out = subprocess.run(["psql", database, "-XAtF", " ", "-c", sql],
                         check=True, capture_output=True, text=True).stdout
    return [tuple(line.split(" ")) for line in out.splitlines() if line]


def received(receiver):
    with urllib.request.urlopen(receiver + "/received") as response:
        text = response.read().decode()
    return {line.split()[0]: int(line.split()[1]) for line in text.splitlines() if line}


def post(base, path, body, token):
    request = urllib.request.Request(base + path, method="POST", data=json.dumps(body).encode())
    request.add_header("content-type", "application/json")
    request.add_header("authorization", "Bearer " + token)
    with urllib.request.urlopen(request) as response:
        return json.load(response)


def wait_for_all(database, receiver):
    while True:
        written = int(rows(database, "SELECT count(*) FROM webhook_deliveries")[0][0])
        arrived = received(receiver)
        if len(arrived) >= written:
            return written, arrived
        time.sleep(0.5)


def percentile(values, p):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * p))]


def drain(database, receiver, since="0"):
    _, arrived = wait_for_all(database, receiver)
    times = sorted(t for t in arrived.values() if t >= int(since))
    rate = len(times) / max((times[-1] - times[0]) / 1000, 0.001)
    print(f"== drain: {len(times)} deliveries in {(times[-1] - times[0]) / 1000:.1f} s, {rate:.0f}/s")


def latency(base, database, receiver, users):
    token, session, start = open(users).readline().split()
    began = datetime.strptime(start, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=timezone.utc)
    # Slots far past those wrk used (two seconds each, from the session's start).
    first = began + timedelta(days=20)
    since = int(time.time() * 1000)
    for n in range(400):
        at = first + timedelta(seconds=2 * n)
        post(base, "/interruptions/", {"session_id": int(session), "type": "noise",
                                       "start_time": at.strftime("%Y-%m-%dT%H:%M:%SZ"),
                                       "end_time": (at + timedelta(seconds=1)).strftime("%Y-%m-%dT%H:%M:%SZ")},
             token)
        time.sleep(0.02)
    _, arrived = wait_for_all(database, receiver)
    created = rows(database, f"SELECT event_id, created_at FROM webhook_deliveries WHERE created_at >= {since}")
    latencies = [arrived[event] - int(at) for event, at in created if event in arrived]
    print(f"== latency, commit to receipt, {len(latencies)} events one at a time: "
          f"p50 {percentile(latencies, 0.5)} ms, p90 {percentile(latencies, 0.9)} ms, "
          f"p99 {percentile(latencies, 0.99)} ms, max {max(latencies)} ms")


def main():
    if sys.argv[1] == "drain":
        return drain(*sys.argv[2:5])
    return latency(*sys.argv[2:6])


if __name__ == "__main__":
    main()
