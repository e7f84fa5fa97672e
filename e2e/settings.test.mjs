// Settings, registration and sign-in as a person meets them: a download
// is a file and the page stays; what is shown once appears by its form,
// in view and focused, with a Copy button; a theme applies when saved;
// a form with mistakes says each by its field, with a summary, in the
// person's words; a new account starts in the browser's time zone.
//
// Run by e2e/run.sh, which serves the binary and sets HF_BASE and HF_OUT.

import { after, before, test } from "node:test";
import assert from "node:assert/strict";
import { audit, axeAtPhoneWidth, base, focused, inViewport, launch, open, password, register, speaksApi } from "./lib.mjs";

let browser;

before(async () => {
  browser = await launch();
});

after(async () => {
  await browser?.close();
});

/** A signed-in person on Settings, at `width` px. */
async function onSettings(width, who, options = {}) {
  const context = await browser.newContext({ viewport: { width, height: 800 }, ...options });
  const page = await open(context);
  await register(page, who, `${who.toLowerCase()}-${width}@example.com`);
  await page.goto(`${base}/app/settings`);
  return { context, page };
}

test("a download is a file, and Settings stays as it was", async () => {
  const { context, page } = await onSettings(1280, "Dora", { acceptDownloads: true });
  const main = page.locator("#main");
  const before = await main.innerHTML();
  for (const [label, extension] of [["Download as NDJSON", "ndjson"], ["Download as JSON", "json"], ["Download as CSV (for a spreadsheet)", "csv"]]) {
    const [download] = await Promise.all([
      page.waitForEvent("download"),
      page.getByRole("link", { name: label }).click(),
    ]);
    assert.match(download.suggestedFilename(), new RegExp(`^hyperfocus-export-\\d{4}-\\d{2}-\\d{2}\\.${extension}$`));
    await page.waitForTimeout(300);
    assert.equal(page.url(), `${base}/app/settings`);
    assert.equal(await main.innerHTML(), before, `${label} left the page as it was`);
  }
  assert.deepEqual(page.problems, []);
  await context.close();
});

for (const width of [390, 1280]) {
  test(`what is shown once is by its form, in view and focused, and copies (${width} px)`, async () => {
    const { context, page } = await onSettings(width, "Cora");
    await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base });

    await page.getByLabel("Name", { exact: true }).last().fill("laptop client");
    await page.getByRole("button", { name: "Create token" }).click();
    const box = page.locator(".shown-once");
    await box.waitFor();
    assert.ok(await inViewport(box), "the token's box is in view");
    assert.ok(await focused(box), "the token's box has the focus");
    assert.match(await box.textContent(), /Token “laptop client” created\. Copy it now: it is not shown again\./);
    const token = (await box.locator(".token").textContent()).trim();
    assert.match(token, /^hf_\d+_/);
    await box.getByRole("button", { name: "Copy" }).click();
    await box.getByText("Copied.").waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), token);
    assert.equal(page.url(), `${base}/app/settings`, "the address stays Settings'");

    await page.getByLabel("Address").fill("https://hooks.example.com/focus");
    await page.getByRole("button", { name: "Add webhook" }).click();
    await page.getByText("Webhook added. Copy its signing secret now").waitFor();
    assert.ok(await inViewport(box), "the secret's box is in view");
    assert.ok(await focused(box), "the secret's box has the focus");
    const secret = (await box.locator(".token").textContent()).trim();
    assert.match(secret, /^whsec_/);
    await box.getByRole("button", { name: "Copy" }).click();
    await box.getByText("Copied.").waitFor();
    assert.equal(await page.evaluate(() => navigator.clipboard.readText()), secret);

    await page.getByRole("button", { name: "New secret for https://hooks.example.com/focus" }).click();
    await page.getByText("New signing secret made").waitFor();
    assert.ok(await inViewport(box) && await focused(box), "the new secret is in view and focused");
    assert.notEqual((await box.locator(".token").textContent()).trim(), secret);

    // A goal, and an import: their results by their forms.
    await page.locator("#goal-target").fill("30");
    await page.getByRole("button", { name: "Set goal" }).click();
    const said = page.locator(".section-message");
    await said.getByText("Goal set: Effective focus: at least 30 min a day.").waitFor();
    assert.ok(await inViewport(said) && await focused(said), "the goal's message is in view and focused");
    const toggl = "Description,Start date,Start time,End date,End time,Tags\nThesis,2025-11-10,10:00:00,2025-11-10,09:00:00,\nCall,2025-11-12,09:30:00,2025-11-12,09:40:00,\n";
    await page.setInputFiles("#import-file", { name: "toggl.csv", mimeType: "text/csv", buffer: Buffer.from(toggl) });
    await page.getByRole("button", { name: "Import" }).click();
    const refused = page.locator(".error-summary");
    await refused.getByText("Nothing was imported from toggl.csv").waitFor();
    assert.ok(await inViewport(refused) && await focused(refused), "the import's errors are in view and focused");
    const errors = await refused.textContent();
    assert.match(errors, /Line 2: the end time must be after the start \(Mon 10 Nov 2025, 10:00\)\./);
    assert.ok(!speaksApi(errors), errors);
    assert.deepEqual(page.problems.filter((p) => !p.includes("422")), []);
    await context.close();
  });
}

test("a theme saved in Settings changes the page at once", async () => {
  const { context, page } = await onSettings(1280, "Theo");
  await page.emulateMedia({ colorScheme: "light" });
  const read = () => [getComputedStyle(document.documentElement).backgroundColor, getComputedStyle(document.body).color];
  const colours = () => page.evaluate(read);
  // The colours a page settles on (a swap settles a moment after the message shows).
  const settled = async (expected) => {
    await page.waitForFunction((e) => getComputedStyle(document.documentElement).backgroundColor === e[0] &&
      getComputedStyle(document.body).color === e[1], expected, { timeout: 2000 }).catch(() => {});
    return colours();
  };
  assert.deepEqual(await colours(), ["rgb(247, 247, 244)", "rgb(29, 31, 33)"]);
  await page.evaluate(() => { window.notReloaded = true; });
  await page.getByLabel("Dark").check();
  await page.getByRole("button", { name: "Save theme" }).click();
  await page.getByText("Theme saved: dark.").waitFor();
  assert.deepEqual(await settled(["rgb(21, 24, 26)", "rgb(232, 234, 236)"]), ["rgb(21, 24, 26)", "rgb(232, 234, 236)"]);
  assert.equal(await page.evaluate(() => window.notReloaded), true, "no reload");
  await page.getByLabel("Light").check();
  await page.getByRole("button", { name: "Save theme" }).click();
  await page.getByText("Theme saved: light.").waitFor();
  await page.emulateMedia({ colorScheme: "dark" });
  assert.deepEqual(await settled(["rgb(247, 247, 244)", "rgb(29, 31, 33)"]), ["rgb(247, 247, 244)", "rgb(29, 31, 33)"], "light, though the system is dark");
  await page.getByLabel("Follow the system").check();
  await page.getByRole("button", { name: "Save theme" }).click();
  await page.getByText("Theme saved: the same as your system's.").waitFor();
  assert.deepEqual(await settled(["rgb(21, 24, 26)", "rgb(232, 234, 236)"]), ["rgb(21, 24, 26)", "rgb(232, 234, 236)"], "dark, as the system");
  assert.equal(await page.evaluate(() => window.notReloaded), true, "no reload");
  await context.close();
});

test("a registration with two mistakes says each by its field, with a summary, and keeps what was typed", async () => {
  const context = await browser.newContext({ viewport: { width: 390, height: 800 }, timezoneId: "Asia/Tokyo" });
  const page = await open(context, "/app/register");
  // The browser's zone is there, to be changed if it is wrong.
  assert.equal(await page.getByLabel("Time zone").inputValue(), "Asia/Tokyo");
  await page.getByLabel("Name").fill("Rin");
  await page.getByLabel("Email").fill("rin@example");
  await page.getByLabel("Password").fill("short");
  await page.getByRole("button", { name: "Create the account" }).click();
  const summary = page.locator(".error-summary");
  await summary.waitFor();
  assert.ok(await focused(summary), "the summary has the focus");
  assert.deepEqual(await summary.locator("li").allTextContents(), [
    "Enter an email address in the right form, such as name@example.com.",
    "The password must be 8 characters or more; a few words make a good one.",
  ]);
  assert.equal(await page.locator("#email-error").textContent(), "Error: Enter an email address in the right form, such as name@example.com.");
  assert.equal(await page.locator("#password-error").textContent(), "Error: The password must be 8 characters or more; a few words make a good one.");
  assert.equal(await page.getByLabel("Email").getAttribute("aria-invalid"), "true");
  assert.equal(await page.getByLabel("Name").inputValue(), "Rin");
  assert.equal(await page.getByLabel("Email").inputValue(), "rin@example");
  assert.equal(await page.getByLabel("Time zone").inputValue(), "Asia/Tokyo");
  assert.ok(!speaksApi(await page.locator("#main").innerText()));
  await summary.getByRole("link", { name: /The password must/ }).click();
  assert.ok(await focused(page.getByLabel("Password")), "the summary's link leads into the field");
  await axeAtPhoneWidth(page, "register with mistakes");
  await page.screenshot({ path: `${process.env.HF_OUT}/screenshots/register-errors-390-light.png`, fullPage: true });

  await page.getByLabel("Email").fill("rin@example.com");
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create the account" }).click();
  await page.getByText("Not focusing").waitFor();
  await page.goto(`${base}/app/settings`);
  assert.equal(await page.getByLabel("Time zone").inputValue(), "Asia/Tokyo", "the account is in the browser's zone");
  await context.close();
});

test("Settings' forms say what is wrong by each field, in the person's words", async () => {
  const { context, page } = await onSettings(390, "Ines");
  await page.getByLabel("Address").fill("http://127.0.0.1:9/hook");
  await page.getByLabel("What it is for (optional)").fill("lamp");
  await page.getByRole("button", { name: "Add webhook" }).click();
  const url = page.locator("#webhook-url-error");
  await url.waitFor();
  assert.equal(await url.textContent(), "Error: 127.0.0.1 leads to this server itself, not to the internet. Webhooks go only to public addresses: give the address your tool can be reached at from the internet.");
  const summary = page.locator(".error-summary");
  assert.ok(await inViewport(summary) && await focused(summary), "the summary is in view and focused");
  assert.equal(await page.getByLabel("Address").inputValue(), "http://127.0.0.1:9/hook");
  assert.equal(await page.getByLabel("What it is for (optional)").inputValue(), "lamp");

  await page.locator("#goal-target").fill("2000");
  await page.getByRole("button", { name: "Set goal" }).click();
  await page.locator("#goal-target-error").waitFor();
  assert.equal(await page.locator("#goal-target-error").textContent(), "Error: A day holds at most 1440 minutes: enter 0 to 1440.");

  await page.getByLabel("New password (8–128 characters)").fill("another long passphrase");
  await page.getByLabel("Current password").fill("not the password");
  await page.getByRole("button", { name: "Change password" }).click();
  await page.locator("#current_password-error").waitFor();
  assert.equal(await page.locator("#current_password-error").textContent(), "Error: That is not the password of this account.");

  await page.getByLabel("Time zone").fill("Atlantis/Capital");
  await page.getByRole("button", { name: "Save profile" }).click();
  await page.locator("#timezone-error").waitFor();
  const text = await page.locator("#main").innerText();
  assert.ok(!speaksApi(text), text);
  await axeAtPhoneWidth(page, "settings with mistakes");
  assert.deepEqual(page.problems.filter((p) => !p.includes("422")), []);
  page.problems.length = 0;
  await audit(page, "settings-errors");
  await context.close();
});
