#!/usr/bin/env python3
"""Crash safety: every write answered 2xx survives a kill -9.

  scripts/crash_check.py [--rounds N] [--seconds S] [--binary PATH]

Each round starts the server on a SQLite file (the same file every round),
drives concurrent writes (users, sessions, interruptions) from several
threads, kills the server with SIGKILL in the middle of the load, restarts
it, and checks that every write that got a 2xx is there (each acknowledged
interruption is read back through the API), that PRAGMA integrity_check and
foreign_key_check are clean, and that the one-active-session rule held.
Exits non-zero on the first failure.
"""
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

PORT = 18211
BASE = f"http://127.0.0.1:{PORT}"


def call(method, path, body=None, token=None, timeout=5):
    request = urllib.request.Request(BASE + path, method=method,
                                     data=json.dumps(body).encode() if body is not None else None)
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", "Bearer " + token)
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


def writer(worker, round_no, stop, acked):
    """Registers a user, starts a session, logs interruptions until stopped."""
    try:
        status, user = call("POST", "/users/", {"name": f"W{worker}", "email": f"w{worker}-r{round_no}@example.com"})
        if status != 201:
            return
        acked.append(("user", user["id"], user["api_token"]))
        start = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(time.time() - 86_400))
        status, session = call("POST", "/sessions/start", {"start_time": start}, user["api_token"])
        if status != 201:
            return
        acked.append(("session", session["id"], user["api_token"]))
        base = time.time() - 86_400
        slot = 0
        while not stop.is_set():
            at = base + 2 * slot
            body = {"session_id": session["id"], "type": "noise",
                    "start_time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at)),
                    "end_time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(at + 1))}
            slot += 1
            status, interruption = call("POST", "/interruptions/", body, user["api_token"])
            if status == 201:
                acked.append(("interruption", interruption["id"], user["api_token"]))
    except OSError:
        pass  # the server was killed mid-request: that write was never acknowledged


def check(db, acked):
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
    conn.close()
    return missing, integrity, dangling, orphans, doubled


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--binary", default="target/release/hyperfocus")
    args = parser.parse_args()
    db = os.path.join(tempfile.mkdtemp(), "crash.db")
    total_acked = 0
    for round_no in range(1, args.rounds + 1):
        server = start(args.binary, db)
        stop, acked = threading.Event(), []
        threads = [threading.Thread(target=writer, args=(w, round_no, stop, acked)) for w in range(args.workers)]
        for thread in threads:
            thread.start()
        time.sleep(args.seconds)
        server.send_signal(signal.SIGKILL)  # no warning, no shutdown
        server.wait()
        stop.set()
        for thread in threads:
            thread.join()
        server = start(args.binary, db)
        missing, integrity, dangling, orphans, doubled = check(db, acked)
        server.send_signal(signal.SIGTERM)
        server.wait()
        total_acked += len(acked)
        print(f"round {round_no}: {len(acked)} acknowledged writes, missing {len(missing)}, "
              f"integrity {integrity}, dangling {len(dangling)}, orphans {orphans}, doubled active {doubled}")
        if missing or integrity != "ok" or dangling or orphans or doubled:
            sys.exit(f"FAIL in round {round_no}: missing {missing[:5]}")
    print(f"PASS: {args.rounds} crashes survived, {total_acked} acknowledged writes checked")


if __name__ == "__main__":
    main()
