// Opens one page as a phone would (headless Chromium through playwright-core) and counts the bytes it
// transfers: first as it loads, without any scrolling, then after scrolling to the bottom.
//
// usage: node weight_probe.mjs REQUEST.json  (REQUEST: {"playwright": dir, "chromium": path, "url": page,
//        "width": 360, "height": 800, "scale": 2}); prints {"first": {...}, "scrolled": {...}} on stdout,
//        each with "bytes" (bodies and headers as transferred) and "requests" ([url, bytes] pairs).
import { createRequire } from "node:module";
import { readFileSync } from "node:fs";

const request = JSON.parse(readFileSync(process.argv[2], "utf8"));
const require = createRequire(import.meta.url);
const { chromium } = require(request.playwright);

const browser = await chromium.launch({
  executablePath: request.chromium,
  headless: true,
  args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
});
try {
  const context = await browser.newContext({
    viewport: { width: request.width, height: request.height },
    deviceScaleFactor: request.scale,
    isMobile: true,
    hasTouch: true,
  });
  const page = await context.newPage();
  let seen = [];
  const pending = [];
  page.on("requestfinished", (r) => {
    pending.push(r.sizes().then((s) => seen.push([r.url(), s.responseBodySize + s.responseHeadersSize])));
  });
  const settle = async () => {
    await page.waitForLoadState("networkidle");
    await page.waitForTimeout(400);
    await page.waitForLoadState("networkidle");
    await Promise.all(pending);
  };
  const total = (list) => list.reduce((sum, [, bytes]) => sum + bytes, 0);

  await page.goto(request.url, { waitUntil: "load", timeout: 30000 });
  await settle();
  const first = { bytes: total(seen), requests: [...seen] };

  // Scroll as a reader does, a screen at a time, so every lazy image comes into view.
  for (let step = 0; step < 200; step++) {
    const done = await page.evaluate(() => {
      window.scrollBy(0, window.innerHeight * 0.8);
      return window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 1;
    });
    await page.waitForTimeout(120);
    if (done) break;
  }
  await settle();
  const scrolled = { bytes: total(seen), requests: [...seen] };
  process.stdout.write(JSON.stringify({ first, scrolled }));
} finally {
  await browser.close();
}
