#!/usr/bin/env python3
"""Crash safety: every write answered 2xx survives a kill -9.

  scripts/crash_check.py [--rounds N] [--seconds S] [--binary PATH]

Each round starts the server on a SQLite file (the same file every round),
drives concurrent writes (users, sessions, interruptions) from several
threads, kills the server with SIGKILL in the middle of the load, restarts
it, and checks that every write that got a 2xx is there (each acknowledged
interruption is read back through the API), that PRAGMA integrity_check and
foreign_key_check are clean, and that the one-active-session rule held.

Every write carries an Idempotency-Key. The writes the kill cut off are sent
again after the restart with their keys, as a client would retry them: each
must answer 201 (with what the first attempt created, if it was committed
before the kill), and none may create a second row.
Exits non-zero on the first failure.
"""
import hashlib
import argparse
import json
import os
import signal
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
import uuid

PORT = 18211
BASE = f"http://127.0.0.1:{PORT}"


def call(method, path, body=None, token=None, timeout=5, key=None):
    request = urllib.request.Request(BASE + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", "Bearer " + token)
    if key:
        request.add_header("idempotency-key", key)
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return response.status, json.load(response)
    except urllib.error.HTTPError as error:
        return error.code, None


def start(binary, db):
    process = subprocess.Popen([binary, "serve", "--bind", f"127.0.0.1:{PORT}",
                                "--database-url", f"sqlite://{db}", "--log", "error",
                                "--rate-limit", "off"])
    for _ in range(100):
        try:
            if call("GET", "/readyz", timeout=1)[0] == 200:
                return process
        except OSError:
            pass
        time.sleep(0.05)
    process.kill()
    sys.exit("the server did not start")


def writer(worker, round_no, stop, acked, cut_off):
    """Registers a user, starts a session, logs interruptions until stopped.
    The write in flight when the server dies goes to `cut_off`."""
    def create(kind, path, body, token=None):
        key = str(uuid.uuid4())
        try:
            status, created = call("POST", path, body, token, key=key)
        except OSError:  # killed mid-request: not acknowledged, to be retried
            cut_off.append((kind, path, body, token, key))
            raise
        if status == 201:
            acked.append((kind, created["id"], created.get("api_token", token)))
        return created if status == 201 else None

    try:
        user = create("user", "/users/", {"name": f"W{worker}", "email": f"w{worker}-r{round_no}@example.com"})
        if not user:
            return
        token = user["api_token"]
        start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 86_400))
        session = create("session", "/sessions/start", {"start_time": start}, token)
        if not session:
            return
        base = time.time() - 86_400
        slot = 0
        while not stop.is_set():
            at = base + 2 * slot
            body = {"session_id": session["id"], "type": "noise",
                    "start_time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at)),
                    "end_time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at + 1))}
            slot += 1
            create("interruption", "/interruptions/", body, token)
    except OSError:
        pass


def key_stored(db, kind, key):
    """Whether the database holds `key`, i.e. its write was committed."""
    conn = sqlite3.connect(db)
    if kind == "user":
        lookup = hashlib.sha256(b"hyperfocus registration lookup\0" + key.encode()).digest()
        row = conn.execute("SELECT count(*) FROM registration_keys WHERE lookup = ?", (lookup,)).fetchone()
    else:
        row = conn.execute("SELECT count(*) FROM idempotency_keys WHERE key = ?", (key,)).fetchone()
    conn.close()
    return row[0] == 1


def retry(db, cut_off, acked):
    """Sends each cut-off write again with its key; returns the failures and
    how many had been committed before the kill (so the retry replayed it)."""
    failures, replayed = [], 0
    for kind, path, body, token, key in cut_off:
        committed = key_stored(db, kind, key)
        status, created = call("POST", path, body, token, key=key)
        if status != 201:
            failures.append((kind, status))
            continue
        replayed += committed
        acked.append((kind, created["id"], created.get("api_token", token)))
    return failures, replayed


def check(db, acked, all_acked):
    """Reads this round's `acked` writes back; counts rows against all rounds'."""
    missing = []
    for kind, ident, token in acked:
        path = {"user": "/users/me", "session": f"/sessions/{ident}", "interruption": f"/interruptions/{ident}"}[kind]
        if call("GET", path, token=token)[0] != 200:
            missing.append((kind, ident))
    conn = sqlite3.connect(db)
    integrity = conn.execute("PRAGMA integrity_check").fetchone()[0]
    dangling = conn.execute("PRAGMA foreign_key_check").fetchall()
    orphans = conn.execute("SELECT count(*) FROM interruptions i LEFT JOIN sessions s ON s.id = i.session_id "
                           "WHERE s.id IS NULL OR s.user_id <> i.user_id").fetchone()[0]
    doubled = conn.execute("SELECT count(*) FROM (SELECT user_id FROM sessions WHERE end_time IS NULL "
                           "GROUP BY user_id HAVING count(*) > 1)").fetchone()[0]
    # Every row created once: as many rows as distinct acknowledged ids.
    counts = {kind: conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0]
              for kind, table in [("user", "users"), ("session", "sessions"), ("interruption", "interruptions")]}
    conn.close()
    extra = [(kind, counts[kind] - len({i for k, i, _ in all_acked if k == kind})) for kind in counts]
    extra = [(kind, n) for kind, n in extra if n]
    return missing, integrity, dangling, orphans, doubled, extra


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--binary", default="target/release/hyperfocus")
    args = parser.parse_args()
    db = os.path.join(tempfile.mkdtemp(), "crash.db")
    total_acked = total_retried = total_replayed = 0
    all_acked = []
    for round_no in range(1, args.rounds + 1):
        server = start(args.binary, db)
        stop, acked, cut_off = threading.Event(), [], []
        threads = [threading.Thread(target=writer, args=(w, round_no, stop, acked, cut_off))
                   for w in range(args.workers)]
        for thread in threads:
            thread.start()
        time.sleep(args.seconds)
        server.send_signal(signal.SIGKILL)  # no warning, no shutdown
        server.wait()
        stop.set()
        for thread in threads:
            thread.join()
        server = start(args.binary, db)
        acknowledged = len(acked)
        total_acked += acknowledged
        refused, replayed = retry(db, cut_off, acked)
        all_acked += acked
        missing, integrity, dangling, orphans, doubled, extra = check(db, acked, all_acked)
        server.send_signal(signal.SIGTERM)
        server.wait()
        total_retried += len(cut_off)
        total_replayed += replayed
        print(f"round {round_no}: {acknowledged} acknowledged writes, "
              f"{len(cut_off)} cut off and retried ({replayed} had been committed), refused retries {len(refused)}, "
              f"missing {len(missing)}, integrity {integrity}, dangling {len(dangling)}, orphans {orphans}, "
              f"doubled active {doubled}, duplicates {extra}")
        if refused or missing or integrity != "ok" or dangling or orphans or doubled or extra:
            sys.exit(f"FAIL in round {round_no}: refused {refused[:5]}, missing {missing[:5]}, extra {extra}")
    print(f"PASS: {args.rounds} crashes survived, {total_acked} acknowledged writes checked, "
          f"{total_retried} cut-off writes retried without a duplicate ({total_replayed} replayed)")


if __name__ == "__main__":
    main()
