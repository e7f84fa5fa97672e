#!/usr/bin/env python3
"""Creates users with an active session each through the API and writes
their tokens and session ids for the wrk scripts, one `token session` a line.

Usage: setup.py BASE_URL USERS OUT_FILE
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


def main():
    base, users, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    # Sessions began 30 days ago: room for over a million 2-second slots each.
    start = (datetime.now(timezone.utc) - timedelta(days=30)).strftime("%Y-%m-%dT%H:%M:%SZ")
    lines = []
    for n in range(users):
        user = call(base, "POST", "/users/", {"name": f"Load {n}", "email": f"load{n}@example.com"})
        session = call(base, "POST", "/sessions/start", {"start_time": start}, user["api_token"])
        lines.append(f"{user['api_token']} {session['id']} {start}")
    with open(out, "w") as f:
        f.write("\n".join(lines) + "\n")


if __name__ == "__main__":
    main()
