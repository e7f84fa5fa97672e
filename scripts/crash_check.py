#!/usr/bin/env python3
"""Crash safety: every write answered 2xx survives a kill -9, and reaches
the webhook endpoint subscribed to it.

  scripts/crash_check.py [--rounds N] [--seconds S] [--binary PATH]
                         [--database-url postgres://…]

Each round starts the server on a SQLite file (the same file every round;
or on a fresh PostgreSQL database with --database-url),
drives concurrent writes (users, sessions, interruptions) from several
threads, kills the server with SIGKILL in the middle of the load, restarts
it, and checks that every write that got a 2xx is there (each acknowledged
interruption is read back through the API), that PRAGMA integrity_check and
foreign_key_check are clean, and that the one-active-session rule held.

Every write carries an Idempotency-Key. The writes the kill cut off are sent
again after the restart with their keys, as a client would retry them: each
must answer 201 (with what the first attempt created, if it was committed
before the kill), and none may create a second row.

Each writer's user subscribes a webhook endpoint, served by this script, to
`session.started` and `interruption.created`. After the restart, every
acknowledged session and interruption must arrive there (at least once:
the receiver deduplicates by `webhook-id`), each as exactly one event, and
nothing may arrive that the database does not hold.
Exits non-zero on the first failure.
"""
import hashlib
import argparse
import base64
import http.server
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
# Set once the receiver listens, on a port of the system's choosing: a run
# that follows another must not inherit requests the other's server left
# in flight to a fixed port.
HOOK = None
# How long an event may take to arrive after the restart: on PostgreSQL a
# delivery claimed by the killed process waits out its 30 s lease.
ARRIVAL_SECONDS = 45


class Receiver(http.server.BaseHTTPRequestHandler):
    """Records each delivery's webhook-id, type and resource id."""
    events = {}
    lock = threading.Lock()

    def do_POST(self):
        body = json.loads(self.rfile.read(int(self.headers["content-length"])))
        with Receiver.lock:
            Receiver.events[self.headers["webhook-id"]] = (body["type"], body["data"]["id"])
        self.send_response(200)
        self.send_header("content-length", "0")
        self.end_headers()

    def log_message(self, *args):
        pass


class ReceiverServer(http.server.ThreadingHTTPServer):
    # The server sends up to 128 deliveries at once; the default backlog of
    # 5 would overflow into SYN cookies.
    request_queue_size = 1024
    daemon_threads = True


def serve_receiver():
    global HOOK
    server = ReceiverServer(("127.0.0.1", 0), Receiver)
    HOOK = f"http://127.0.0.1:{server.server_address[1]}/hook"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


class Database:
    """The server's database, read directly: a SQLite file or PostgreSQL."""

    def __init__(self, url):
        self.url = url

    def rows(self, sql):
        if self.url.startswith("sqlite://"):
            conn = sqlite3.connect(self.url[len("sqlite://"):])
            rows = conn.execute(sql).fetchall()
            conn.close()
            return rows
        out = subprocess.run(["psql", self.url, "-XAtF", "\t", "-c", sql],
                             check=True, capture_output=True, text=True).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]

    def scalar(self, sql):
        return int(self.rows(sql)[0][0])


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


def start(binary, db, secret_key):
    process = subprocess.Popen([binary, "serve", "--bind", f"127.0.0.1:{PORT}",
                                "--database-url", db.url, "--log", "error",
                                "--rate-limit", "off", "--secret-key", secret_key,
                                "--webhook-allow-networks", "127.0.0.0/8",
                                "--webhook-retry-schedule", "200ms,200ms,500ms,1s,2s,5s"])
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
        status, _ = call("POST", f"/users/{user['id']}/webhooks",
                         {"url": HOOK, "events": ["session.started", "interruption.created"]}, token)
        if status != 201:
            return
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
    if kind == "user":
        lookup = hashlib.sha256(b"hyperfocus registration lookup\0" + key.encode()).hexdigest()
        literal = f"X'{lookup}'" if db.url.startswith("sqlite") else f"'\\x{lookup}'::bytea"
        return db.scalar(f"SELECT count(*) FROM registration_keys WHERE lookup = {literal}") == 1
    return db.scalar(f"SELECT count(*) FROM idempotency_keys WHERE key = '{key}'") == 1


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
    if db.url.startswith("sqlite"):
        integrity = db.rows("PRAGMA integrity_check")[0][0]
        dangling = db.rows("PRAGMA foreign_key_check")
    else:  # PostgreSQL checks its own pages and keys
        integrity, dangling = "ok", []
    orphans = db.scalar("SELECT count(*) FROM interruptions i LEFT JOIN sessions s ON s.id = i.session_id "
                        "WHERE s.id IS NULL OR s.user_id <> i.user_id")
    doubled = db.scalar("SELECT count(*) FROM (SELECT user_id FROM sessions WHERE end_time IS NULL "
                        "GROUP BY user_id HAVING count(*) > 1) AS d")
    # Every row created once: as many rows as distinct acknowledged ids.
    counts = {kind: db.scalar(f"SELECT count(*) FROM {table}")
              for kind, table in [("user", "users"), ("session", "sessions"), ("interruption", "interruptions")]}
    extra = [(kind, counts[kind] - len({i for k, i, _ in all_acked if k == kind})) for kind in counts]
    extra = [(kind, n) for kind, n in extra if n]
    return missing, integrity, dangling, orphans, doubled, extra


def webhook_check(db, all_acked):
    """Waits for every acknowledged session and interruption to arrive at
    the receiver; returns those missing, how many changes were told of by
    two events, and the events for rows the database does not hold."""
    expected = {("session.started", i) for k, i, _ in all_acked if k == "session"}
    expected |= {("interruption.created", i) for k, i, _ in all_acked if k == "interruption"}
    deadline = time.time() + ARRIVAL_SECONDS
    while True:
        with Receiver.lock:
            events = list(Receiver.events.values())
        arrived = set(events)
        if expected <= arrived or time.time() > deadline:
            break
        time.sleep(0.2)
    stored = {("session.started", int(r[0])) for r in db.rows("SELECT id FROM sessions")}
    stored |= {("interruption.created", int(r[0])) for r in db.rows("SELECT id FROM interruptions")}
    return expected - arrived, len(events) - len(arrived), arrived - stored


def fresh_database(url):
    """A new, empty database on the PostgreSQL server of `url`."""
    name = f"crash_{uuid.uuid4().hex[:12]}"
    subprocess.run(["psql", url, "-XAtc", f"CREATE DATABASE {name}"], check=True, capture_output=True)
    return url.rsplit("/", 1)[0] + "/" + name


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--seconds", type=float, default=3.0)
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--binary", default="target/release/hyperfocus")
    parser.add_argument("--database-url", help="a PostgreSQL server to test on instead of SQLite")
    args = parser.parse_args()
    if args.database_url:
        db = Database(fresh_database(args.database_url))
    else:
        db = Database("sqlite://" + os.path.join(tempfile.mkdtemp(), "crash.db"))
    secret_key = base64.b64encode(os.urandom(32)).decode()
    serve_receiver()
    total_acked = total_retried = total_replayed = 0
    all_acked = []
    for round_no in range(1, args.rounds + 1):
        server = start(args.binary, db, secret_key)
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
        server = start(args.binary, db, secret_key)
        acknowledged = len(acked)
        total_acked += acknowledged
        refused, replayed = retry(db, cut_off, acked)
        all_acked += acked
        missing, integrity, dangling, orphans, doubled, extra = check(db, acked, all_acked)
        undelivered, twice, invented = webhook_check(db, all_acked)
        server.send_signal(signal.SIGTERM)
        server.wait()
        total_retried += len(cut_off)
        total_replayed += replayed
        print(f"round {round_no}: {acknowledged} acknowledged writes, "
              f"{len(cut_off)} cut off and retried ({replayed} had been committed), refused retries {len(refused)}, "
              f"missing {len(missing)}, integrity {integrity}, dangling {len(dangling)}, orphans {orphans}, "
              f"doubled active {doubled}, duplicates {extra}; webhooks: undelivered {len(undelivered)}, "
              f"two events for one change {twice}, invented {len(invented)}")
        if refused or missing or integrity != "ok" or dangling or orphans or doubled or extra:
            sys.exit(f"FAIL in round {round_no}: refused {refused[:5]}, missing {missing[:5]}, extra {extra}")
        if undelivered or twice or invented:
            sys.exit(f"FAIL in round {round_no}: undelivered {sorted(undelivered)[:5]}, "
                     f"twice {twice}, invented {sorted(invented)[:5]}")
    print(f"PASS: {args.rounds} crashes survived, {total_acked} acknowledged writes checked, "
          f"{total_retried} cut-off writes retried without a duplicate ({total_replayed} replayed), "
          f"{len(Receiver.events)} webhook events each delivered once or more, none invented")
    if args.database_url:
        name = db.url.rsplit("/", 1)[1]
        subprocess.run(["psql", args.database_url, "-XAtc", f"DROP DATABASE {name}"], check=True,
                       capture_output=True)


if __name__ == "__main__":
    main()
