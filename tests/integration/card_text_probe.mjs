// Opens the section page in Debian's chromium (through playwright-core) at each width and reports, per
// editor's-choice card, the text a reader sees (innerText) of its headline and summary, and whether the
// summary is cut by the layout (its box scrolls: a line clamp or overflow hides the rest).
//
// usage: node card_text_probe.mjs REQUEST.json  (REQUEST: {"playwright": dir, "chromium": path,
//        "page": absolute path, "widths": [px...]}); prints one JSON object: {width: [cards...]}.
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";
import { pathToFileURL } from "node:url";

const request = JSON.parse(readFileSync(process.argv[2], "utf8"));
const require = createRequire(import.meta.url);
const { chromium } = require(request.playwright);

const browser = await chromium.launch({
  executablePath: request.chromium,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
const result = {};
try {
  const page = await browser.newPage();
  for (const width of request.widths) {
    await page.setViewportSize({ width, height: 900 });
    await page.goto(pathToFileURL(request.page).href, { waitUntil: "load", timeout: 20000 });
    result[width] = await page.evaluate(() =>
      [...document.querySelectorAll("li.card")].map((card) => {
        const summary = card.querySelector(".card-summary");
        return {
          headline: card.querySelector(".card-title").innerText,
          summary: summary.innerText,
          cut: summary.scrollHeight > summary.clientHeight + 1,
        };
      }));
  }
} finally {
  await browser.close();
}
process.stdout.write(JSON.stringify(result));
