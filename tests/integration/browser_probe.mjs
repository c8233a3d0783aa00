// Opens pages in Debian's chromium (through playwright-core) with script ON and probes each for hostile
// content: any request outside the bundle, any dialog, and the marker that the corpus's script sets when it
// runs (<html id="pwned">). After load it also fires the events hostile markup hangs script on (mouseover,
// focus, click, toggle, ...) on every element, and follows javascript: links, so handlers that wait for a
// reader's action are exercised too. Ordinary links are not followed.
//
// usage: node browser_probe.mjs REQUEST.json  (REQUEST: {"playwright": dir, "chromium": path,
//        "root": bundle dir, "pages": [absolute paths]}); prints one JSON result per page on stdout.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const request = JSON.parse(readFileSync(process.argv[2], "utf8"));
const require = createRequire(import.meta.url);
const { chromium } = require(request.playwright);
const rootUrl = pathToFileURL(request.root).href.replace(/\/?$/, "/");

const EVENTS = ["mouseover", "mouseenter", "mousemove", "mousedown", "mouseup", "focus", "focusin",
  "blur", "click", "dblclick", "toggle", "load", "error", "animationstart", "animationend",
  "transitionend", "begin", "end", "input", "change", "submit", "keydown", "pointerover"];

const browser = await chromium.launch({
  executablePath: request.chromium,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const results = [];
try {
  const context = await browser.newContext();
  // One tab for every page: opening a tab costs more than loading a page into it.
  const page = await context.newPage();
  let outside = [];
  let dialogs = [];
  page.on("request", (r) => {
    const target = r.url();
    if (!target.startsWith(rootUrl)) outside.push(target);
  });
  page.on("dialog", async (d) => { dialogs.push(`${d.type()}: ${d.message()}`); await d.dismiss(); });
  context.on("page", async (p) => { if (p !== page) { outside.push(`new window: ${p.url()}`); await p.close(); } });
  for (const path of request.pages) {
    const url = pathToFileURL(path).href;
    outside = [];
    dialogs = [];
    let error = null;
    try {
      await page.goto(url, { waitUntil: "load", timeout: 20000 });
      await page.waitForTimeout(50);
      await page.evaluate((events) => {
        // Keep ordinary navigations (http, relative, mailto) from leaving the page; let script URLs run.
        document.addEventListener("click", (e) => {
          const link = e.target.closest && e.target.closest("a[href], area[href]");
          if (link && !/^\s*(javascript|vbscript|data):/i.test(link.getAttribute("href"))) e.preventDefault();
        }, true);
        document.addEventListener("submit", (e) => e.preventDefault(), true);
        for (const el of document.querySelectorAll("*")) {
          for (const type of events) {
            try { el.dispatchEvent(new Event(type, { bubbles: true, cancelable: true })); } catch (_) {}
          }
          if (typeof el.focus === "function") try { el.focus(); } catch (_) {}
          if (el.matches("a[href], area[href], button, input, summary")) try { el.click(); } catch (_) {}
        }
      }, EVENTS);
      await page.waitForTimeout(50);
    } catch (e) {
      error = String(e);
    }
    let marker = null;
    try {
      // Read the marker from a fresh evaluation; a page that navigated to a javascript: result shows here too.
      marker = await page.evaluate(() => document.documentElement.id || null);
    } catch (e) {
      error = error || String(e);
    }
    results.push({ page: path, final_url: page.url(), marker, outside, dialogs, error });
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(results));
