// What every journey of the browser suite shares: the browser, a page
// that records its problems, the audit (axe in both themes, no sideways
// scrolling, screenshots at 390 and 1280 px), and a few small helpers.
//
// The suite is run by e2e/run.sh, which serves the binary and sets HF_BASE
// and HF_OUT.

import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const axeSource = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
export const base = process.env.HF_BASE;
export const out = process.env.HF_OUT;
export const password = "a long passphrase for e2e";

/** Debian's Chromium, headless, without the background traffic this
 * machine's closed network would refuse. */
export function launch() {
  return chromium.launch({
    executablePath: "/usr/bin/chromium",
    args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

/** A page that records every console error, page error and dialog. */
export async function open(context, path) {
  const page = await context.newPage();
  // A violation of the pages' policy, with the element at fault.
  await page.addInitScript(() => document.addEventListener("securitypolicyviolation", (e) => {
    console.error(`CSP violation of ${e.violatedDirective}: ${e.target?.outerHTML?.slice(0, 160)}`);
  }));
  page.problems = [];
  page.on("console", (message) => {
    if (message.type() === "error") {
      page.problems.push(`console: ${message.text().slice(0, 300)}`);
    }
  });
  page.on("pageerror", (error) => page.problems.push(`page error: ${error}`));
  page.on("dialog", async (dialog) => {
    page.problems.push(`dialog: ${dialog.message()}`);
    await dialog.dismiss();
  });
  if (path) {
    await page.goto(base + path);
  }
  return page;
}

/** Checks the page as it is now, and photographs it. */
export async function audit(page, name) {
  await page.waitForLoadState("networkidle").catch(() => {});
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.evaluate(axeSource);
    const result = await page.evaluate(() => window.axe.run(document, { resultTypes: ["violations"] }));
    const violations = result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    assert.deepEqual(violations, [], `axe on ${name} (${scheme})`);
    for (const width of [390, 1280]) {
      await page.setViewportSize({ width, height: 900 });
      // Nothing may widen the page past the screen (wide tables scroll in
      // their own box).
      const scrollWidth = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(scrollWidth <= width, `${name} is ${scrollWidth} px wide at ${width} px`);
      await page.screenshot({ path: `${out}/screenshots/${name}-${width}-${scheme}.png`, fullPage: true });
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  await page.setViewportSize({ width: 1280, height: 900 });
  assert.deepEqual(page.problems, [], `console and page errors on ${name}`);
  // axe leaves `style=""` on elements it measured, which htmx would then
  // copy onto the next page's elements of the same id: start clean.
  await page.reload();
}

/** How the pages write a length of time (web/time_input.rs). */
export function duration(seconds) {
  if (seconds === 0) return "0 min";
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min`;
  const minutes = String(Math.floor((seconds % 3600) / 60)).padStart(2, "0");
  return `${Math.floor(seconds / 3600)} h ${minutes} min`;
}

export async function api(token, path) {
  const response = await fetch(base + path, { headers: { authorization: `Bearer ${token}` } });
  assert.equal(response.status, 200, path);
  return response.json();
}

export async function register(page, name, email) {
  await page.goto(`${base}/app/register`);
  await page.getByLabel("Name").fill(name);
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Create the account" }).click();
  await page.getByText("Not focusing").waitFor();
}

/** axe at a phone's width (390 px) in both themes, where tables scroll
 * sideways: `audit` runs axe at the desktop width only. */
export async function axeAtPhoneWidth(page, name) {
  await page.setViewportSize({ width: 390, height: 900 });
  for (const scheme of ["light", "dark"]) {
    await page.emulateMedia({ colorScheme: scheme });
    await page.evaluate(axeSource);
    const result = await page.evaluate(() => window.axe.run(document, {
      resultTypes: ["violations"],
      rules: { "scrollable-region-focusable": { enabled: true } },
    }));
    const violations = result.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
    assert.deepEqual(violations, [], `axe on ${name} at 390 px (${scheme})`);
  }
  await page.emulateMedia({ colorScheme: "light" });
}

/** Whether the element is wholly inside the viewport. */
export async function inViewport(locator) {
  return locator.evaluate((element) => {
    const box = element.getBoundingClientRect();
    return box.top >= 0 && box.left >= 0 && box.bottom <= window.innerHeight && box.right <= window.innerWidth;
  });
}

/** Whether the element has the keyboard focus. */
export async function focused(locator) {
  return locator.evaluate((element) => element === document.activeElement);
}

/** Text a person reads that still speaks the API: a UTC time "…Z)", or a
 * field name such as end_time. */
export function speaksApi(text) {
  return /Z\)|\b[a-z]+_[a-z_]+\b|\bdescription\b|\b(name|email|password|timezone|url|target): /.test(text);
}
