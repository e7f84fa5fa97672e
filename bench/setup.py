#!/usr/bin/env python3
"""Creates load-test data through the API.

  setup.py writers BASE_URL USERS OUT_FILE [FIRST [HOOK_URL]]
      USERS users with an active session each; writes one
      `token session_id session_start` a line for bench/interruptions.lua.
      Users are numbered from FIRST (default 0); with HOOK_URL each
      subscribes an endpoint there to `interruption.created`.
  setup.py year BASE_URL OUT_FILE
      one user with a year of history: 250 sessions of 3 hours, each with 10
      interruptions; writes `user_id token`.
"""
import json
import sys
import urllib.request
from datetime import datetime, timedelta, timezone


def call(base, method, path, body=None, token=None):
    request = urllib.request.Request(base + path, method=method)
    request.add_header("content-type", "application/json")
    if token:
        request.add_header("authorization", "Bearer " + token)
    data = json.dumps(body).encode() if body is not None else None
    with urllib.request.urlopen(request, data) as response:
        return json.load(response)


def iso(moment):
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def year(base, out):
    user = call(base, "POST", "/users/", {"name": "Year", "email": "year@example.com", "timezone": "Europe/Madrid"})
    token = user["api_token"]
    first = datetime.now(timezone.utc).replace(hour=8, minute=0, second=0, microsecond=0) - timedelta(days=365)
    for n in range(250):
        start = first + timedelta(days=n * 365 // 250)
        session = call(base, "POST", "/sessions/start", {"start_time": iso(start)}, token)
        kinds = ["family", "phone", "noise", "self", "urgent_task", "unknown"]
        for k in range(10):
            at = start + timedelta(minutes=15 * k + 5)
            body = {"session_id": session["id"], "type": kinds[(n + k) % 6],
                    "start_time": iso(at), "end_time": iso(at + timedelta(minutes=2 + k % 5))}
            call(base, "POST", "/interruptions/", body, token)
        call(base, "POST", f"/sessions/{session['id']}/end", {"end_time": iso(start + timedelta(hours=3))}, token)
    with open(out, "w") as f:
        f.write(f"{user['id']} {token}\n")


def main():
    if sys.argv[1] == "year":
        return year(sys.argv[2], sys.argv[3])
    base, users, out = sys.argv[2], int(sys.argv[3]), sys.argv[4]
    first = int(sys.argv[5]) if len(sys.argv) > 5 else 0
    hook = sys.argv[6] if len(sys.argv) > 6 else None
    # Sessions began 30 days ago: room for over a million 2-second slots each.
    start = (datetime.now(timezone.utc) - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = []
    for n in range(first, first + users):
        user = call(base, "POST", "/users/", {"name": f"Load {n}", "email": f"load{n}@example.com"})
        if hook:
            call(base, "POST", f"/users/{user['id']}/webhooks",
                 {"url": hook, "events": ["interruption.created"]}, user["api_token"])
        session = call(base, "POST", "/sessions/start", {"start_time": start}, user["api_token"])
        lines.append(f"{user['api_token']} {session['id']} {start}")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
