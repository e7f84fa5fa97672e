// Reports as a person reads them: a day is a timeline, the arrows stop at
// the period in progress, a period in progress is compared with the same
// part of the one before, a score of nothing is "—", an "at most" goal is
// a budget, and on a phone every table that scrolls is reachable by
// keyboard (axe's scrollable-region-focusable at 390 px).
//
// Run by e2e/run.sh, which serves the binary and sets HF_BASE and HF_OUT.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { audit, axeAtPhoneWidth, base, launch, open, password } from "./lib.mjs";

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

async function call(method, path, token, body) {
  const response = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body && JSON.stringify(body),
  });
  assert.ok(response.status < 300, `${method} ${path}: ${response.status} ${await response.clone().text()}`);
  return response.json();
}

const iso = (date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");

test("a day is a timeline, the arrows stop at today, and an at-most goal is a budget", async () => {
  const email = "rae@example.com";
  const user = await call("POST", "/users/", null, { name: "Rae", email, password, timezone: "UTC" });
  const token = user.api_token;
  // Today (UTC): up to 40 minutes ago, never before midnight.
  const now = Date.now();
  const midnight = new Date(now).setUTCHours(0, 0, 10, 0);
  const start = new Date(Math.max(now - 40 * 60_000, midnight));
  const session = await call("POST", "/sessions/start", token, { start_time: iso(start) });
  const step = Math.min(5 * 60_000, Math.floor((now - start.getTime()) / 3));
  await call("POST", "/interruptions/", token, {
    session_id: session.id, type: "phone", description: "a call",
    start_time: iso(new Date(start.getTime() + step)), end_time: iso(new Date(start.getTime() + 2 * step)),
  });
  await call("POST", `/sessions/${session.id}/end`, token, {});
  await call("POST", `/users/${user.id}/goals`, token, { metric: "interruptions", comparison: "at_most", target: 12, period: "day" });

  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await open(context, "/app/signin");
  await page.locator("#email").fill(email);
  await page.locator("#password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByText(/Not focusing/).waitFor();

  // The budget on Now: what is left of the limit.
  const goal = page.locator(".goal");
  await goal.getByText("11 left of 12 interruptions").waitFor();
  assert.equal(await goal.locator("svg.budget").getAttribute("class"), "budget within");

  await page.goto(`${base}/app/reports?period=day`);
  const nav = page.getByRole("navigation", { name: "Period" });
  assert.equal(await nav.locator('[aria-current="page"]').textContent(), "Day");
  assert.match(await page.locator(".comparison").textContent(), /^So far today, against the day before until \d\d:\d\d\.$/);
  assert.equal(await page.locator("svg.chart.timeline rect.session").count(), 1);
  assert.equal(await page.locator("svg.chart.timeline rect.phone").count(), 1);
  await page.getByText("The day as a table").click();
  assert.match(await page.locator("#daily-heading ~ details tbody").innerText(), /Focus session[\s\S]*Interruption: Phone \(a call\)/);
  // Nothing after today: the arrow says so and the key does nothing.
  assert.equal(await nav.locator('a[rel="next"]').count(), 0);
  assert.equal(await nav.getByRole("link", { name: "The period after: not yet" }).getAttribute("aria-disabled"), "true");
  const today = page.url();
  await page.locator("h1").click();
  await page.keyboard.press("ArrowRight");
  await page.waitForTimeout(300);
  assert.equal(page.url(), today);
  await axeAtPhoneWidth(page, "reports (day)");
  await audit(page, "reports-day");

  // Yesterday: nothing worked, so no score, and nothing before it.
  await page.keyboard.press("ArrowLeft");
  await page.waitForURL(/period=day&date=/);
  await page.getByRole("link", { name: "The period after" }).waitFor();
  const card = (label) => page.locator(".figure", { has: page.getByText(label, { exact: true }) });
  assert.equal(await card("Focus score").locator(".value").textContent(), "—");
  assert.equal(await card("Worked").locator(".change").textContent(), "no data before");
  assert.equal(await page.locator("#score-heading").textContent(), "Focus score: —");

  for (const period of ["week", "month", "year"]) {
    await page.goto(`${base}/app/reports?period=${period}`);
    assert.equal(await page.locator('nav[aria-label="Period"] a[rel="next"]').count(), 0, period);
    await axeAtPhoneWidth(page, `reports (${period})`);
  }
  await page.setViewportSize({ width: 390, height: 900 });
  await page.goto(`${base}/app/reports?period=week`);
  // Every box that scrolls on a phone is reachable by keyboard.
  const unreachable = await page.evaluate(() => [...document.querySelectorAll(".scroll")]
    .filter((box) => box.scrollWidth > box.clientWidth && box.tabIndex < 0).length);
  assert.equal(unreachable, 0);
  // A figure never breaks inside its value.
  const broken = await page.evaluate(() => [...document.querySelectorAll(".figure .value")]
    .filter((v) => v.getClientRects().length > 1 || v.scrollWidth > v.clientWidth + 1).map((v) => v.textContent));
  assert.deepEqual(broken, []);
  // The buttons of the period bar are one height.
  const heights = await page.evaluate(() => [...document.querySelectorAll(".period a, .period span.current")].map((e) => e.getBoundingClientRect().height));
  assert.equal(new Set(heights).size, 1, `${heights}`);
  await audit(page, "reports-week");
  assert.deepEqual(page.problems, []);
  await context.close();
});
