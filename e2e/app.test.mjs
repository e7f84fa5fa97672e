// The web app in Chromium, as a person uses it: register, focus, get
// interrupted, look at the reports, correct the record, leave. Every page
// is checked for console errors (CSP violations included), for axe-core
// violations in both themes, and photographed at 390 px and 1280 px.
//
// Run by e2e/run.sh, which serves the binary and sets HF_BASE and HF_OUT.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { appendFileSync } from "node:fs";
import { api, audit, base, duration, launch, open, out, password, register } from "./lib.mjs";

const xss = `<script>alert(1)</script> "><img src=x onerror=alert(2)>`;

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

test("a whole day in the browser, with a second tab following live", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const first = await open(context, "/app/signin");
  await audit(first, "signin");
  await first.goto(`${base}/app/register`);
  await audit(first, "register");
  await register(first, "Eli E2E", "eli@example.com");
  await audit(first, "now-idle");

  const second = await open(context, "/app/");
  await second.getByText("Not focusing").waitFor();

  await first.getByLabel("Working on (optional)").fill("chapter 3 draft");
  await first.getByRole("button", { name: "Start focus" }).click();
  await first.getByText("Focusing since").waitFor();
  await first.getByText("chapter 3 draft").waitFor();
  // The other tab follows through the live event stream.
  await second.getByText("Focusing since").waitFor({ timeout: 10_000 });
  await first.waitForFunction(() => /^\d\d:\d\d:\d\d · Focusing · HyperFocus$/.test(document.title));

  // A note, then the key 2 (Phone) once the note has lost focus.
  await first.getByLabel("Note (optional)").fill(xss);
  await first.getByRole("heading", { name: "Today" }).click();
  await first.keyboard.press("2");
  await first.getByText("Interrupted: Phone").waitFor();
  await second.getByText("Interrupted: Phone").waitFor({ timeout: 10_000 });
  await audit(first, "now-interrupted");
  await first.waitForTimeout(2200);
  await first.getByRole("button", { name: "Back to focus" }).click();
  await first.getByText(/Back to focus after/).waitFor();
  await first.waitForTimeout(1200);
  await first.getByRole("button", { name: "End focus" }).click();
  await first.getByText(/Session ended:/).waitFor();
  await second.getByText("Not focusing").waitFor({ timeout: 10_000 });
  // The note is text, nothing else: no dialog, no image.
  assert.equal(await first.locator('img[src="x"]').count(), 0);

  // A token from Settings, to read what the API recorded.
  await first.goto(`${base}/app/settings`);
  await audit(first, "settings");
  await first.getByLabel("Name", { exact: true }).last().fill("e2e check");
  await first.getByRole("button", { name: "Create token" }).click();
  const token = (await first.locator(".token").textContent()).trim();
  assert.match(token, /^hf_\d+_/);
  const me = await api(token, "/users/me");
  const [session] = await api(token, `/sessions/user/${me.id}`);
  const [interruption] = await api(token, `/interruptions/session/${session.id}`);
  assert.equal(session.note, "chapter 3 draft");
  assert.equal(interruption.type, "phone");
  assert.equal(interruption.description, xss);
  assert.ok(interruption.duration >= 2, `${interruption.duration} s`);

  // Today's report shows exactly those seconds.
  await first.goto(`${base}/app/reports?period=day`);
  const card = (label) => first.locator(".figure", { has: first.getByText(label, { exact: true }) }).locator(".value");
  assert.equal(await card("Worked").textContent(), duration(session.duration_seconds));
  assert.equal(await card("Lost to interruptions").textContent(), duration(interruption.duration));
  assert.equal(await card("Interruptions").textContent(), "1");
  const summary = await api(token, `/users/${me.id}/stats/summary?range=1d`);
  assert.equal(await card("Effective focus").textContent(), duration(summary.effective_time_seconds));
  await audit(first, "reports");
  await first.keyboard.press("ArrowLeft");
  await first.waitForURL(/period=day&date=/);
  await first.goto(`${base}/app/reports?period=year`);
  await audit(first, "reports-year");

  // History shows the note as text; correct the session's start.
  await first.goto(`${base}/app/history`);
  await first.getByText(xss).first().waitFor();
  assert.equal(await first.locator('img[src="x"]').count(), 0);
  await audit(first, "history");
  await first.getByText("Correct, add an interruption, or delete").first().click();
  const start = first.getByLabel("Started").nth(1);
  // An hour earlier, across midnight too (the field's value is local time;
  // reading it as UTC only shifts both ends of the arithmetic alike).
  const before = await start.inputValue();
  const earlier = new Date(Date.parse(`${before.length === 16 ? `${before}:00` : before}Z`) - 3600_000).toISOString().slice(0, 19);
  await start.fill(earlier);
  await first.getByLabel("Working on").nth(1).fill("chapter 3, second draft");
  await first.getByRole("button", { name: "Save", exact: true }).first().click();
  await first.locator(".flash").waitFor();
  assert.equal(await first.locator(".flash").textContent(), "Session saved.", `from ${earlier}`);
  const [corrected] = await api(token, `/sessions/user/${me.id}`);
  assert.equal(corrected.duration_seconds, session.duration_seconds + 3600);
  assert.equal(corrected.note, "chapter 3, second draft");

  // A form another site makes the browser post is refused.
  const evil = await context.newPage();
  await evil.setContent(`<form method="post" action="${base}/app/focus/start"><button>win</button></form>`);
  const [refused] = await Promise.all([
    evil.waitForResponse((r) => r.url().endsWith("/app/focus/start")),
    evil.getByRole("button", { name: "win" }).click(),
  ]);
  assert.equal(refused.status(), 403);
  const current = await api(token, "/sessions/current");
  assert.equal(current.session, null, "no session was started");

  // A Toggl report uploaded from Settings: a session with its interruption.
  await first.goto(`${base}/app/settings`);
  const toggl = "Description,Start date,Start time,End date,End time,Tags\n" +
    "Thesis,2025-11-10,09:00:00,2025-11-10,10:00:00,\nCall,2025-11-10,09:30:00,2025-11-10,09:40:00,interrupt:phone\n";
  await first.setInputFiles("#import-file", { name: "toggl.csv", mimeType: "text/csv", buffer: Buffer.from(toggl) });
  await first.getByRole("button", { name: "Import" }).click();
  await first.locator(".flash").waitFor();
  assert.equal(
    await first.locator(".flash").textContent(),
    "toggl.csv: added 1 session and 1 interruption; 0 sessions were already there.",
  );
  assert.equal((await api(token, `/sessions/user/${me.id}`)).length, 2);

  // A goal from Settings: its ring on Now, its streak on Reports.
  await first.goto(`${base}/app/settings`);
  await first.getByLabel("What", { exact: true }).selectOption("worked_seconds");
  await first.getByLabel("Target").fill("1");
  await first.getByLabel("Saturday").check();
  await first.getByRole("button", { name: "Set goal" }).click();
  await first.locator(".flash").waitFor();
  assert.match(await first.locator(".flash").textContent(), /^Goal set: Time worked: at least 1 min a day/);
  const [goal] = await api(token, `/users/${me.id}/goals`);
  assert.deepEqual([goal.metric, goal.target, goal.rest_days], ["worked_seconds", 60, ["saturday"]]);
  await audit(first, "settings-goals");
  await first.getByLabel("Address").fill("https://hooks.example.com/focus");
  await first.getByRole("button", { name: "Add webhook" }).click();
  await first.locator(".shown-once").waitFor();
  const shown = (await first.locator(".shown-once .token").textContent()).trim();
  assert.match(shown, /^whsec_[A-Za-z0-9+/]{43}=$/);
  const [hook] = await api(token, `/users/${me.id}/webhooks`);
  assert.deepEqual([hook.url, hook.events], ["https://hooks.example.com/focus", ["session.started", "session.ended"]]);
  await audit(first, "settings-webhooks");
  await first.goto(`${base}/app/`);
  await first.getByRole("heading", { name: "Goals" }).waitFor();
  await audit(first, "now-goals");
  await first.goto(`${base}/app/reports`);
  await first.getByRole("heading", { name: "Goals and streaks" }).waitFor();
  await audit(first, "reports-goals");

  // Erase the account.
  await first.goto(`${base}/app/settings`);
  await first.getByLabel("Type your email to confirm").fill("eli@example.com");
  await first.getByRole("button", { name: "Erase everything" }).click();
  await first.getByText("Your account and everything in it have been erased.").waitFor();
  const gone = await fetch(`${base}/users/me`, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(gone.status, 401);
  assert.deepEqual(second.problems, [], "console and page errors in the second tab");
  await context.close();
});

test("signing in and out with a password", async () => {
  const context = await browser.newContext();
  const page = await open(context, "/app/register");
  await register(page, "Sam E2E", "sam@example.com");
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { name: "Sign in" }).waitFor();
  await page.locator("#email").fill("sam@example.com");
  await page.locator("#password").fill("not the password");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByText("The email or the password is wrong.").waitFor();
  await page.locator("#password").fill(password);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByText("Not focusing").waitFor();
  assert.deepEqual(page.problems.filter((p) => !p.includes("401")), []);
  await context.close();
});

test("the first view of every page weighs at most 100 KB", async () => {
  const context = await browser.newContext();
  const setup = await open(context, "/app/register");
  await register(setup, "Wei E2E", "wei@example.com");
  await setup.close();
  const lines = [];
  for (const path of ["/app/signin", "/app/register", "/app/", "/app/reports", "/app/history", "/app/settings"]) {
    // A fresh page with an empty cache: everything it needs comes over the wire.
    const fresh = await browser.newContext({ storageState: await context.storageState() });
    const page = await fresh.newPage();
    const cdp = await fresh.newCDPSession(page);
    await cdp.send("Network.enable");
    await cdp.send("Network.setCacheDisabled", { cacheDisabled: true });
    let bytes = 0;
    cdp.on("Network.loadingFinished", (event) => { bytes += event.encodedDataLength; });
    await page.goto(base + path, { waitUntil: "networkidle" });
    lines.push(`${path}\t${bytes}`);
    assert.ok(bytes <= 100_000, `${path} transferred ${bytes} bytes`);
    await fresh.close();
  }
  appendFileSync(`${out}/weights.txt`, lines.join("\n") + "\n");
  await context.close();
});
