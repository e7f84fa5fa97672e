// Now and History as a person meets them: a confirmation stays until the
// next action (a live refresh never wipes it), errors speak the person's
// language, a forgotten session is offered where it fits, a mistaken tap is
// cheap, and the keyboard reaches every primary action.
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

/** What a person reads must not be the API's: no UTC `…Z)`, field
 * names, ids they never saw, verbs or paths. */
function speaksToPeople(text) {
  assert.doesNotMatch(text, /Z\)|\d\dZ\b|_time|description|session \d|interruption \d|\/sessions|\/interruptions|POST |PATCH /, text);
}

async function message(page) {
  const flash = page.locator("#main > .flash");
  await flash.waitFor();
  return (await flash.textContent()).trim();
}

test("a confirmation stays until the next action while another tab follows live", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const first = await open(context, "/app/register");
  await register(first, "Flo Flash", "flo@example.com");
  const second = await open(context, "/app/");
  await second.getByText("Not focusing").waitFor();

  const steps = [
    [() => first.getByRole("button", { name: "Start focus" }).click(), "Focus started. Good luck!", "Focusing since"],
    [() => first.getByRole("button", { name: "Phone" }).click(), "Phone interruption started; press Back to focus when it is over.", "Interrupted: Phone"],
    [() => first.getByRole("button", { name: "Back to focus" }).click(), /^Back to focus after \d+ s\.$/, "Interrupted? Tap what it was"],
    [() => first.getByRole("button", { name: "End focus" }).click(), /^Session ended: \d+ s worked, \d+ s lost\.$/, "Not focusing"],
  ];
  for (const [act, said, state] of steps) {
    await act();
    await first.getByText(state).first().waitFor();
    // The other tab follows through the live stream…
    await second.getByText(state).first().waitFor({ timeout: 10_000 });
    // …and this tab's own change comes back on the stream too: the
    // message is still there two seconds later.
    await first.waitForTimeout(2000);
    const shown = await message(first);
    if (typeof said === "string") {
      assert.equal(shown, said);
    } else {
      assert.match(shown, said);
    }
    assert.equal(await first.locator("#main > .flash").isVisible(), true);
  }
  const ended = await message(first);

  // A change made in the other tab refreshes this one, and this tab's
  // message stays: the person has not acted here since.
  await second.getByRole("button", { name: "Start focus" }).click();
  await first.getByText("Focusing since").waitFor({ timeout: 10_000 });
  assert.equal(await message(first), ended);
  // The other tab shows its own message, not this one's.
  assert.equal(await message(second), "Focus started. Good luck!");
  // The next action here replaces the message.
  await first.getByRole("button", { name: "End focus" }).click();
  await first.getByText("Not focusing").waitFor();
  assert.match(await message(first), /^Session ended:/);
  assert.deepEqual(first.problems, []);
  assert.deepEqual(second.problems, []);
  await context.close();
});

test("Now's errors are the web app's own sentences", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await open(context, "/app/register");
  await register(page, "Eva Error", "eva@example.com");
  // A tab that does not follow live (no script): it still offers Start.
  const stale = await browser.newContext({ javaScriptEnabled: false, storageState: await context.storageState() });
  const old = await open(stale, "/app/");
  await old.getByText("Not focusing").waitFor();
  await page.getByRole("button", { name: "Start focus" }).click();
  await page.getByText("Focusing since").waitFor();
  const since = (await page.locator("#focus-state").textContent()).replace("Focusing since ", "");
  await old.getByRole("button", { name: "Start focus" }).click();
  const said = await message(old);
  assert.equal(said, `Focus is already running, since ${since} (perhaps started in another tab). End it before starting another.`);
  speaksToPeople(said);
  // Ending the session twice: the stale tab still shows it running.
  await old.reload();
  await page.getByRole("button", { name: "End focus" }).click();
  await page.getByText("Not focusing").waitFor();
  await old.getByRole("button", { name: "End focus" }).click();
  const twice = await message(old);
  assert.match(twice, /^This session has already ended, at \d\d:\d\d\.$/);
  speaksToPeople(twice);
  await stale.close();
  await context.close();
});

test("a mistaken tap is cheap: Back to focus and End in the second it began, and Not an interruption", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await open(context, "/app/register");
  await register(page, "Tia Tap", "tia@example.com");
  // Start on a fresh second, then tap through as fast as a person can.
  await page.waitForFunction(() => Date.now() % 1000 < 30, null, { polling: 5 });
  await page.keyboard.press("s");
  await page.getByText("Focusing since").waitFor();
  await page.keyboard.press("2");
  await page.getByText("Interrupted: Phone").waitFor();
  await page.getByRole("button", { name: "Back to focus" }).click();
  await page.getByText("Interrupted? Tap what it was").waitFor();
  assert.match(await message(page), /^Back to focus after \d+ s\.$/);
  await page.getByRole("button", { name: "Self-distraction" }).click();
  await page.getByText("Interrupted: Self-distraction").waitFor();
  await page.getByRole("button", { name: "Not an interruption" }).click();
  await page.getByText("Interrupted? Tap what it was").waitFor();
  assert.equal(await message(page), "Not an interruption: the Self-distraction interruption is gone, and you are still focusing.");
  await page.keyboard.press("4");
  await page.getByText("Interrupted: Self-distraction").waitFor();
  await page.getByRole("button", { name: "End focus" }).click();
  await page.getByText("Not focusing").waitFor();
  const ended = await message(page);
  assert.match(ended, /^Session ended: \d+ s worked, \d+ s lost\.$/);
  const table = page.locator("#today-table");
  await table.locator("summary").click();
  // One phone interruption and one self-distraction: the dropped one is gone.
  assert.equal(await table.getByText("Interruption: Phone").count(), 1);
  assert.equal(await table.getByText("Interruption: Self-distraction").count(), 1);
  assert.deepEqual(page.problems, []);
  await context.close();
});

test("nothing worked today has no focus score", async () => {
  const context = await browser.newContext();
  const page = await open(context, "/app/register");
  await register(page, "Nia Nothing", "nia@example.com");
  const score = page.locator(".figure", { has: page.getByText("Focus score", { exact: true }) }).locator(".value");
  assert.equal(await score.textContent(), "—");
  await context.close();
});

test("a forgotten session is offered in the last gap, and a refused one keeps what was typed", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await open(context, "/app/register");
  await register(page, "Lou Log", "lou@example.com");
  // Something just done: a short session now.
  await page.getByRole("button", { name: "Start focus" }).click();
  await page.getByText("Focusing since").waitFor();
  await page.getByRole("button", { name: "End focus" }).click();
  await page.getByText("Not focusing").waitFor();

  await page.goto(`${base}/app/history`);
  await page.getByText("Log a forgotten session").click();
  const start = await page.getByLabel("Started").first().inputValue();
  const end = await page.getByLabel("Ended").first().inputValue();
  // Whole minutes (a field shows no seconds when they are :00).
  assert.match(start, /T\d\d:\d\d$/);
  assert.ok(end > start, `${start} – ${end}`);
  // As offered, it can be logged.
  await page.getByRole("button", { name: "Log it" }).click();
  assert.match(await message(page), /^Session logged: /);
  await page.waitForTimeout(2000);
  assert.match(await message(page), /^Session logged: /, "still there two seconds later");

  // The same times again overlap the session just logged: the form stays
  // open with everything typed, the reason by the field and at the top.
  await page.getByText("Log a forgotten session").click();
  await page.getByLabel("Started").first().fill(start);
  await page.getByLabel("Ended").first().fill(end);
  await page.getByLabel("Working on").first().fill("the forgotten chapter");
  await page.getByRole("button", { name: "Log it" }).click();
  const summary = page.locator(".error-summary");
  await summary.waitFor();
  const said = (await summary.textContent()).replace(/\s+/g, " ").trim();
  // (With its day when that is not today.)
  const when = String.raw`(\w{3} \d+ \w{3}, )?\d\d:\d\d`;
  assert.match(said, new RegExp(`^There is a problem This session would overlap the one from ${when} to ${when}\\. Change the times or delete that one first\\.$`));
  speaksToPeople(said);
  assert.equal(await page.locator("#log").getAttribute("open"), "");
  assert.equal(await page.getByLabel("Started").first().inputValue(), start);
  assert.equal(await page.getByLabel("Ended").first().inputValue(), end);
  assert.equal(await page.getByLabel("Working on").first().inputValue(), "the forgotten chapter");
  assert.equal(await page.evaluate(() => document.activeElement.classList.contains("error-summary")), true);
  assert.equal(page.url(), `${base}/app/history`);

  // An end before the start: the message is by the Ended field.
  const day = start.slice(0, 10);
  await page.getByLabel("Ended").first().fill(`${day}T00:00`);
  await page.getByLabel("Started").first().fill(`${day}T00:30`);
  await page.getByRole("button", { name: "Log it" }).click();
  const byField = page.locator("#log-end-error");
  await byField.waitFor();
  assert.match(await byField.textContent(), /^Error: The end must be after the start \((\w{3} \d+ \w{3}, )?00:30\)\.$/);
  assert.equal(await page.getByLabel("Ended").first().getAttribute("aria-invalid"), "true");
  await page.waitForTimeout(2000);
  assert.equal(await byField.isVisible(), true, "still there two seconds later");
  // A refused form is answered 422, which the browser logs; nothing else may be.
  page.problems = page.problems.filter((problem) => !problem.includes("status of 422"));
  await audit(page, "history-log-refused");
  await context.close();
});

test("the keyboard starts, interrupts, resumes and ends, and the focus follows", async () => {
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await open(context, "/app/register");
  await register(page, "Kim Keys", "kim@example.com");
  // Keys go through htmx once the page is ready (before that, a key still
  // works, as a plain form post without the focus moved).
  await page.waitForFunction(() => document.readyState === "complete" && window.htmx);
  // What has the focus once the swap has settled.
  const focused = async () => {
    await page.waitForFunction(() => !document.querySelector(".htmx-settling, .htmx-swapping, .htmx-request"));
    await page.waitForTimeout(50);
    return page.evaluate(() => {
      const element = document.activeElement;
      return element.dataset.key || element.className || element.tagName;
    });
  };
  assert.equal(await page.locator('kbd.key:text("S")').isVisible(), true);
  await page.keyboard.press("s");
  await page.getByText("Focusing since").waitFor();
  assert.equal(await focused(), "kinds", "Start → the interruption keys");
  // This tab's own change comes back on the live stream; the focus stays.
  await page.waitForTimeout(1000);
  assert.equal(await focused(), "kinds", "still there after the live refresh");
  await page.keyboard.press("3");
  await page.getByText("Interrupted: Noise").waitFor();
  assert.equal(await focused(), "space", "an interruption → Back to focus");
  await page.waitForTimeout(1000);
  assert.equal(await focused(), "space", "still there after the live refresh");
  // Space from anywhere that is not a control.
  await page.getByRole("heading", { name: "Today" }).click();
  await page.keyboard.press(" ");
  await page.getByText("Interrupted? Tap what it was").waitFor();
  assert.equal(await focused(), "kinds");
  await page.keyboard.press("1");
  await page.getByText("Interrupted: Family").waitFor();
  await page.keyboard.press("Enter");
  await page.getByText("Interrupted? Tap what it was").waitFor();
  await page.keyboard.press("e");
  await page.getByText("Not focusing").waitFor();
  assert.equal(await focused(), "s", "End → Start");
  assert.deepEqual(page.problems, []);
  await context.close();
});

test("key badges show only where there is a keyboard", async () => {
  const desk = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  const page = await open(desk, "/app/register");
  await register(page, "Pat Phone", "pat@example.com");
  assert.equal(await page.locator("kbd.key").first().isVisible(), true);
  const phone = await browser.newContext({
    storageState: await desk.storageState(), viewport: { width: 390, height: 844 }, isMobile: true, hasTouch: true,
  });
  const touch = await open(phone, "/app/");
  await touch.getByRole("button", { name: "Start focus" }).tap();
  await touch.getByText("Focusing since").waitFor();
  assert.equal(await touch.evaluate(() => matchMedia("(hover: hover) and (pointer: fine)").matches), false);
  const shown = await touch.locator("kbd.key").evaluateAll((badges) => badges.map((kbd) => getComputedStyle(kbd).display));
  assert.deepEqual(shown, Array(7).fill("none"), "seven badges (1–6 and E), none shown");
  // (A full-page screenshot would drop the touch emulation: the viewport only.)
  await touch.screenshot({ path: `${process.env.HF_OUT}/screenshots/now-phone-touch.png` });
  await phone.close();
  await desk.close();
});
