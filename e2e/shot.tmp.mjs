import { chromium } from "playwright-core";
const [,, url, out, width, theme, cookie, full] = process.argv;
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"] });
const context = await browser.newContext({ viewport: { width: Number(width), height: 1000 }, colorScheme: theme || "light" });
if (cookie) { await context.addCookies([{ name: "hf_session", value: cookie, url: new URL(url).origin }]); }
const page = await context.newPage();
page.on("console", (m) => console.log("console:", m.type(), m.text()));
await page.goto(url);
await page.waitForTimeout(300);
if (process.env.OPEN) { for (const d of await page.locator("details").all()) { await d.evaluate((e) => e.open = true); } }
await page.screenshot({ path: out, fullPage: full !== "top" });
await browser.close();
