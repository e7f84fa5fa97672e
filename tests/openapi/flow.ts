// A whole HyperFocus day through the TypeScript client generated from
// /openapi.json (openapi-typescript types, openapi-fetch calls).
//
// Run by tests/openapi/check.sh after `tsc --strict` compiled it:
//     node generated/flow.js http://127.0.0.1:PORT
//
// Every optional body is left out, as a generated client's user would.

import createClient from "openapi-fetch";
import type { paths } from "./generated/schema.js";

function check(condition: boolean, what: string): asserts condition {
  if (!condition) {
    throw new Error(`flow failed: ${what}`);
  }
}

/** The body of a response that must have `status`. */
function ok<T>(result: { data?: T; error?: unknown; response: Response }, status: number): T {
  check(
    result.response.status === status && result.data !== undefined,
    `expected ${status}, got ${result.response.status}: ${JSON.stringify(result.error)}`,
  );
  return result.data;
}

const seconds = (iso: string): number => Date.parse(iso) / 1000;

async function main(baseUrl: string): Promise<void> {
  const now = new Date(Math.floor(Date.now() / 1000) * 1000);
  const earlier = new Date(now.getTime() - 2 * 3600 * 1000);
  const at = (minutes: number): string =>
    new Date(earlier.getTime() + minutes * 60 * 1000).toISOString();

  const open = createClient<paths>({ baseUrl });
  const registered = ok(
    await open.POST("/users/", {
      params: { header: { "Idempotency-Key": crypto.randomUUID() } },
      body: {
        name: "TS Client",
        email: `ts-${crypto.randomUUID().slice(0, 8)}@example.com`,
        timezone: "America/New_York",
      },
    }),
    201,
  );
  const api = createClient<paths>({
    baseUrl,
    headers: { Authorization: `Bearer ${registered.api_token}` },
  });
  const me = ok(await api.GET("/users/me"), 200);
  check(me.id === registered.id && me.timezone === "America/New_York", "GET /users/me");
  const user = { path: { user_id: registered.id } };

  // A session that began two hours ago.
  const first = ok(await api.POST("/sessions/start", { body: { start_time: earlier.toISOString() } }), 201);
  check(first.end_time === null, "the session is active");
  const closed = ok(
    await api.POST("/interruptions/", {
      body: { session_id: first.id, type: "noise", start_time: at(10), end_time: at(15) },
    }),
    201,
  );
  check(closed.duration === 300, `a 5-minute interruption lasts 300 s, not ${closed.duration}`);
  // Open: it began five minutes ago and goes on until closed, with no body.
  const fiveMinutesAgo = new Date(now.getTime() - 5 * 60 * 1000).toISOString();
  const opened = ok(
    await api.POST("/interruptions/", { body: { session_id: first.id, type: "family", start_time: fiveMinutesAgo } }),
    201,
  );
  check(opened.end_time === null, "an interruption without end_time is open");
  const interruption = { path: { interruption_id: opened.id } };
  const resumed = ok(await api.POST("/interruptions/{interruption_id}/end", { params: interruption }), 200);
  check(resumed.end_time !== null, "the open interruption closed");
  const firstPath = { path: { session_id: first.id } };
  const ended = ok(await api.POST("/sessions/{session_id}/end", { params: firstPath }), 200);
  check(ended.end_time !== null, "the session ended");
  const listed = ok(await api.GET("/interruptions/session/{session_id}", { params: firstPath }), 200);
  check(listed.map((i) => i.id).join() === [closed.id, opened.id].join(), "interruptions by start");

  // A second session, started now and ended a second later, both without a
  // body (times are whole seconds, and an end must follow its start).
  const second = ok(await api.POST("/sessions/start"), 201);
  await new Promise((resolve) => setTimeout(resolve, 1100));
  ok(await api.POST("/sessions/{session_id}/end", { params: { path: { session_id: second.id } } }), 200);

  // Page through the sessions one at a time with the Next-Cursor header.
  const pages: number[][] = [];
  let cursor: string | null = null;
  do {
    const query: { limit: number; cursor?: string } = cursor === null ? { limit: 1 } : { limit: 1, cursor };
    const page = await api.GET("/sessions/user/{user_id}", { params: { ...user, query } });
    pages.push(ok(page, 200).map((s) => s.id));
    cursor = page.response.headers.get("next-cursor");
  } while (cursor !== null);
  check(JSON.stringify(pages) === JSON.stringify([[second.id], [first.id]]), `pages ${JSON.stringify(pages)}`);

  // Every report, over the window that holds both sessions.
  const since = new Date(now.getTime() - 86400 * 1000).toISOString().slice(0, 10);
  const until = new Date(now.getTime() + 60 * 1000).toISOString();
  const params = { ...user, query: { from: since, to: until } };
  const summary = ok(
    await api.GET("/users/{user_id}/stats/summary", {
      params: { ...user, query: { from: since, to: until, compare: "previous" } },
    }),
    200,
  );
  check(resumed.duration !== null && resumed.duration >= 300, "the open interruption lasted 5 minutes");
  const lost = 300 + resumed.duration;
  check(summary.total_sessions === 2 && summary.total_interruptions === 2, "summary counts");
  check(summary.total_time_lost_seconds === lost, `lost ${summary.total_time_lost_seconds} vs ${lost}`);
  check(
    summary.total_time_worked_seconds >= seconds(ended.end_time ?? "") - seconds(first.start_time),
    "worked covers the first session",
  );
  check(summary.change !== undefined && summary.change !== null, "compare=previous adds change");
  const types = ok(await api.GET("/users/{user_id}/stats/interruption-types", { params }), 200);
  check(types.types.reduce((n, t) => n + t.count, 0) === 2, "types add up");
  check(types.self_vs_external.external.count === 2, "noise and family are external");
  const hours = ok(await api.GET("/users/{user_id}/stats/productive-hours", { params }), 200);
  check(hours.hours.reduce((n, h) => n + h.work_seconds, 0) === summary.total_time_worked_seconds, "hours add up");
  const peak = ok(await api.GET("/users/{user_id}/stats/peak-distraction-time", { params }), 200);
  check(peak.interruptions >= 1, "a peak hour");
  const week = ok(await api.GET("/users/{user_id}/stats/weekly-pattern", { params }), 200);
  check(week.days.reduce((n, d) => n + d.interruptions, 0) === 2, "weekdays add up");
  const daily = ok(await api.GET("/users/{user_id}/stats/daily", { params }), 200);
  check(daily.series.reduce((n, d) => n + d.work_seconds, 0) === summary.total_time_worked_seconds, "days add up");
  const heatmap = ok(await api.GET("/users/{user_id}/stats/heatmap", { params }), 200);
  check(heatmap.cells.length === 168, "168 cells");
  const overview = ok(await api.GET("/users/{user_id}/stats/overview", { params }), 200);
  check(overview.summary.total_time_lost_seconds === lost, "overview matches summary");
  console.log(`typescript client: flow passed (${summary.total_time_worked_seconds} s worked, ${pages.length} pages)`);
}

const baseUrl = process.argv[2];
check(baseUrl !== undefined, "usage: node generated/flow.js BASE_URL");
await main(baseUrl);
