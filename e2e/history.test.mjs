// History as a person corrects the record: one Save per session (the
// session and its interruptions together, nothing typed lost), an
// interruption added to a session that has ended, and a day picker with
// the days before and after.
//
// Run by e2e/run.sh, which serves the binary and sets HF_BASE.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { audit, base, launch, open, register } from "./lib.mjs";

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** A `datetime-local` value `minutes` before `value`. */
function earlier(value, minutes) {
  const full = value.length === 16 ? `${value}:00` : value;
  return new Date(Date.parse(`${full}Z`) - minutes * 60_000).toISOString().slice(0, 19);
}

async function message(page) {
  const flash = page.locator("#main > .flash");
  await flash.waitFor();
  return (await flash.textContent()).trim();
}

test("one Save keeps every edit of a panel, and adds an interruption to a past session", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await open(context, "/app/register");
  await register(page, "Hal History", "hal@example.com");
  await page.keyboard.press("s");
  await page.getByText("Focusing since").waitFor();
  await page.keyboard.press("2");
  await page.getByText("Interrupted: Phone").waitFor();
  await page.waitForTimeout(1100);
  await page.keyboard.press(" ");
  await page.getByText("Interrupted? Tap what it was").waitFor();
  await page.keyboard.press("e");
  await page.getByText("Not focusing").waitFor();

  await page.goto(`${base}/app/history`);
  const panel = page.locator(".session-item details").first();
  await panel.locator("summary").click();
  const form = panel.locator("form.panel");
  // The session started an hour earlier, its call was the bank, and a
  // noise in that first hour: all of it in one Save.
  const started = form.getByLabel("Started");
  const start = await started.inputValue();
  await started.fill(earlier(start, 60));
  await form.getByLabel("Working on").fill("the quarterly report");
  await form.getByRole("group", { name: /^Phone interruption/ }).getByLabel("Note").fill("the bank");
  const add = form.getByRole("group", { name: /^Add an interruption/ });
  await add.getByLabel("Type").selectOption("noise");
  await add.getByLabel("Note").fill("drilling next door");
  await add.getByLabel("From").fill(earlier(start, 50));
  await add.getByLabel("To").fill(earlier(start, 45));
  await audit(page, "history-panel");
  // (The audit reloads the page: type it all again.)
  await panel.locator("summary").click();
  await started.fill(earlier(start, 60));
  await form.getByLabel("Working on").fill("the quarterly report");
  await form.getByRole("group", { name: /^Phone interruption/ }).getByLabel("Note").fill("the bank");
  await add.getByLabel("Type").selectOption("noise");
  await add.getByLabel("Note").fill("drilling next door");
  await add.getByLabel("From").fill(earlier(start, 50));
  await add.getByLabel("To").fill(earlier(start, 45));
  await form.getByRole("button", { name: "Save", exact: true }).click();
  assert.match(await message(page), /^Session saved, with 1 interruption changed and the Noise interruption at \d\d:\d\d added\.$/);
  await page.waitForTimeout(2000);
  assert.match(await message(page), /^Session saved/, "still there two seconds later");
  await page.getByText("the quarterly report").waitFor();
  await page.getByText("· the bank").waitFor();
  await page.getByText("· drilling next door").waitFor();
  assert.match(await page.locator(".session-item .muted").first().textContent(), /^1 h 00 min worked, 5 min lost to 2 interruptions$/);

  // One that overlaps the noise comes back open, as typed, with the
  // reason by its row and nothing in the API's words.
  await panel.locator("summary").click();
  await add.getByLabel("Type").selectOption("family");
  await add.getByLabel("From").fill(earlier(start, 48));
  await add.getByLabel("To").fill(earlier(start, 40));
  await form.getByLabel("Working on").fill("the report, final");
  await form.getByRole("button", { name: "Save", exact: true }).click();
  const byRow = add.locator(".field-error");
  await byRow.waitFor();
  const said = (await byRow.textContent()).trim();
  // (With its day when that is not today: near midnight it may not be.)
  assert.match(said, /^Error: This would overlap another interruption, from (\w{3} \d+ \w{3}, )?\d\d:\d\d to \d\d:\d\d\. Change the times or delete that one first\.$/);
  assert.doesNotMatch(said, /Z\)|_time|description|interruption \d|\/interruptions/);
  assert.equal(await panel.getAttribute("open"), "");
  assert.equal(await form.getByLabel("Working on").inputValue(), "the report, final");
  assert.equal(await add.getByLabel("Type").inputValue(), "family");
  assert.equal(page.url(), `${base}/app/history`);
  await page.waitForTimeout(2000);
  assert.equal(await byRow.isVisible(), true, "still there two seconds later");
  page.problems = page.problems.filter((problem) => !problem.includes("status of 422"));
  await audit(page, "history-panel-refused");
  await context.close();
});

test("a day picker with the days before and after, by keys too", async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 } });
  const page = await open(context, "/app/register");
  await register(page, "Dee Day", "dee@example.com");
  await page.goto(`${base}/app/history`);
  const today = await page.getByLabel("Day", { exact: true }).inputValue();
  await page.getByRole("button", { name: "Show the day" }).click();
  await page.waitForURL(`${base}/app/history?day=${today}`);
  await page.getByRole("heading", { name: /^History of / }).waitFor();
  assert.equal(await page.locator('a[rel="next"]').count(), 0, "no day after today");
  await page.keyboard.press("ArrowLeft");
  const yesterday = new Date(Date.parse(`${today}T12:00:00Z`) - 86_400_000).toISOString().slice(0, 10);
  await page.waitForURL(`${base}/app/history?day=${yesterday}`);
  assert.equal(await page.getByLabel("Day", { exact: true }).inputValue(), yesterday);
  await page.getByText("No sessions on this day yet.").waitFor();
  await page.keyboard.press("ArrowRight");
  await page.waitForURL(`${base}/app/history?day=${today}`);
  await page.getByRole("link", { name: "All sessions" }).click();
  await page.waitForURL(`${base}/app/history`);
  await audit(page, "history-day-picker");
  await context.close();
});
