// The HTML report opened in a real headless Chromium (Debian's, driven by playwright-core): its
// charts and heap maps render, and the page logs no errors and asks for nothing over the network.
import assert from "node:assert/strict";
import { test } from "node:test";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";

const CHROMIUM = "/usr/bin/chromium";
const bin = new URL("../../../dist/node/bin.js", import.meta.url).pathname;

test(
  "the HTML report renders its charts and heap maps in Chromium with no console errors",
  { skip: existsSync(CHROMIUM) ? false : "Debian's chromium is not installed (scripts/setup-browser.sh installs it as root)", timeout: 120_000 },
  async () => {
    const dir = mkdtempSync(join(tmpdir(), "heapkit-html-"));
    const html = join(dir, "report.html");
    const r = spawnSync(process.execPath, [bin, "report", "synthetic:request-phases", "synthetic:growing-buffer", "--allocator", "pages", "--html", html], { encoding: "utf8" });
    assert.equal(r.status, 0, r.stderr);
    const { chromium } = await import("playwright-core");
    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1024, height: 800 } });
      const problems: string[] = [];
      page.on("console", (m) => m.type() === "error" && problems.push(m.text()));
      page.on("pageerror", (e) => problems.push(e.message));
      page.on("request", (req) => !req.url().startsWith("file:") && !req.url().startsWith("data:") && problems.push(`network request ${req.url()}`));
      await page.goto(pathToFileURL(html).href);
      assert.equal(await page.locator("section").count(), 2);
      assert.equal(await page.locator("svg.chart.live").count(), 2);
      assert.equal(await page.locator("svg.chart.sizes").count(), 2);
      assert.ok((await page.locator("svg rect.cell").count()) > 10, "heap map cells drawn");
      const box = await page.locator("svg.chart.live").first().boundingBox();
      assert.ok(box && box.width > 600 && box.height > 200, "the chart has its size on the page");
      assert.match((await page.locator(".recommendation").first().textContent()) ?? "", /Recommended: pages/);
      await page.screenshot({ path: join(dir, "report.png"), fullPage: true });
      assert.deepEqual(problems, []);
    } finally {
      await browser.close();
    }
  },
);
