"""A whole HyperFocus day through the Python client generated from /openapi.json.

Run by tests/openapi/check.sh after it generates `hyperfocus_client` with
openapi-python-client and type-checks both with `mypy --strict`:

    python flow.py http://127.0.0.1:PORT

Every optional body is left out, as a generated client's user would leave it.
"""

import datetime
import sys
import time
import uuid
from typing import TypeVar

from hyperfocus_client import AuthenticatedClient, Client
from hyperfocus_client.api.interruptions import (
    create_interruption,
    end_interruption,
    list_session_interruptions,
)
from hyperfocus_client.api.sessions import end_session, list_user_sessions, start_session
from hyperfocus_client.api.stats import (
    get_daily,
    get_heatmap,
    get_interruption_types,
    get_overview,
    get_peak_distraction_time,
    get_productive_hours,
    get_summary,
    get_weekly_pattern,
)
from hyperfocus_client.api.users import create_user, get_me
from hyperfocus_client.models import (
    GetSummaryCompare,
    IanaZone,
    InterruptionIn,
    InterruptionKind,
    InterruptionOut,
    Problem,
    SessionOut,
    SessionStartIn,
    UserIn,
    UserWithTokenOut,
)
from hyperfocus_client.types import UNSET, Response

T = TypeVar("T")


def ok(response: Response[T | Problem], status: int) -> T:
    """The parsed body of a response that must have `status`."""
    assert response.status_code == status, (response.status_code, response.content)
    assert response.parsed is not None and not isinstance(response.parsed, Problem)
    return response.parsed


def main(base_url: str) -> None:
    now = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)
    earlier = now - datetime.timedelta(hours=2)

    registered = ok(
        create_user.sync_detailed(
            client=Client(base_url=base_url),
            body=UserIn(
                name="Py Client",
                email=f"py-{uuid.uuid4().hex[:8]}@example.com",
                timezone=IanaZone.EUROPE_MADRID,
            ),
            idempotency_key=str(uuid.uuid4()),
        ),
        201,
    )
    assert isinstance(registered, UserWithTokenOut)
    api = AuthenticatedClient(base_url=base_url, token=registered.api_token)
    me = ok(get_me.sync_detailed(client=api), 200)
    assert (me.id, me.timezone) == (registered.id, "Europe/Madrid")

    # A session that began two hours ago.
    first = ok(start_session.sync_detailed(client=api, body=SessionStartIn(start_time=earlier)), 201)
    assert first.start_time == earlier and first.end_time is None
    closed = ok(
        create_interruption.sync_detailed(
            client=api,
            body=InterruptionIn(
                session_id=first.id,
                type_=InterruptionKind.PHONE,
                description="WhatsApp",
                start_time=earlier + datetime.timedelta(minutes=10),
                end_time=earlier + datetime.timedelta(minutes=15),
            ),
        ),
        201,
    )
    assert closed.duration == 300
    # Open: it began five minutes ago and goes on until closed, with no body.
    opened = ok(
        create_interruption.sync_detailed(
            client=api,
            body=InterruptionIn(
                session_id=first.id,
                type_=InterruptionKind.SELF,
                start_time=now - datetime.timedelta(minutes=5),
            ),
        ),
        201,
    )
    assert opened.end_time is None and opened.duration is None
    resumed = ok(end_interruption.sync_detailed(opened.id, client=api), 200)
    assert isinstance(resumed, InterruptionOut) and resumed.end_time is not None
    ended = ok(end_session.sync_detailed(first.id, client=api), 200)
    assert isinstance(ended, SessionOut) and ended.end_time is not None
    listed = ok(list_session_interruptions.sync_detailed(first.id, client=api), 200)
    assert [i.id for i in listed] == [closed.id, opened.id]

    # A second session, started now and ended a second later, both without a
    # body (times are whole seconds, and an end must follow its start).
    second = ok(start_session.sync_detailed(client=api), 201)
    time.sleep(1.1)
    ok(end_session.sync_detailed(second.id, client=api), 200)

    # Page through the sessions one at a time with the Next-Cursor header.
    pages: list[list[int]] = []
    cursor: str | None = None
    while True:
        page = list_user_sessions.sync_detailed(
            registered.id, client=api, limit=1, cursor=UNSET if cursor is None else cursor
        )
        pages.append([s.id for s in ok(page, 200)])
        cursor = page.headers.get("next-cursor")
        if cursor is None:
            break
    assert pages == [[second.id], [first.id]], pages

    # Every report, over the window that holds both sessions.
    since = now.date() - datetime.timedelta(days=1)
    until = now + datetime.timedelta(minutes=1)
    summary = ok(
        get_summary.sync_detailed(registered.id, client=api, compare=GetSummaryCompare.PREVIOUS, from_=since, to=until),
        200,
    )
    worked = (ended.end_time - first.start_time).total_seconds()
    assert second.end_time is None  # as it was when it started
    assert summary.total_sessions == 2 and summary.total_interruptions == 2
    assert summary.total_time_worked_seconds >= worked
    assert resumed.duration is not None and resumed.duration >= 300
    assert summary.total_time_lost_seconds == 300 + resumed.duration
    types = ok(get_interruption_types.sync_detailed(registered.id, client=api, from_=since, to=until), 200)
    assert sum(t.count for t in types.types) == 2 and types.self_vs_external.self_.count == 1
    hours = ok(get_productive_hours.sync_detailed(registered.id, client=api, from_=since, to=until), 200)
    assert sum(h.work_seconds for h in hours.hours) == summary.total_time_worked_seconds
    peak = ok(get_peak_distraction_time.sync_detailed(registered.id, client=api, from_=since, to=until), 200)
    assert peak.interruptions >= 1
    days = ok(get_weekly_pattern.sync_detailed(registered.id, client=api, from_=since, to=until), 200)
    assert sum(d.interruptions for d in days.days) == 2
    daily = ok(get_daily.sync_detailed(registered.id, client=api, from_=since, to=until), 200)
    assert sum(d.work_seconds for d in daily.series) == summary.total_time_worked_seconds
    heatmap = ok(get_heatmap.sync_detailed(registered.id, client=api, from_=since, to=until), 200)
    assert len(heatmap.cells) == 168
    overview = ok(get_overview.sync_detailed(registered.id, client=api, from_=since, to=until), 200)
    assert overview.summary.total_time_lost_seconds == summary.total_time_lost_seconds
    print(f"python client: flow passed ({summary.total_time_worked_seconds} s worked, {len(pages)} pages)")


if __name__ == "__main__":
    main(sys.argv[1])
