#!/usr/bin/env node
// Browser checks of a built explainer site, as a reader would meet it:
// axe-core on the main page types in light and dark colour schemes, search
// (typing, Cyrillic aliases, diacritics, arrow keys, Enter, filters, the
// header box), the stylesheet and search script under Subresource
// Integrity over HTTP (and refused when altered on the way), pages opened
// from file:// and clicked through, the 404 page
// at any depth under a sub-path, the search page with JavaScript off, and
// screenshots at 390 and 1280 px for a person to look at.
//
//   node tests/browser/run.mjs OUTDIR
//
// OUTDIR is the example site (the repository root) built with
// `explainer build --output OUTDIR`; the pages and queries below are from it.
// The site is served from 127.0.0.1 under the path of its base_url (read
// from robots.txt), so sub-path hosting is what is tested. Prints one
// `ok - …` or `not ok - …` line per check, then `N passed, N failed`; exits
// 1 if any check failed. tests/browser.rs runs it; tests/browser/setup.sh
// installs what it needs (Debian's chromium, npm ci here).

import { createHash } from "node:crypto";
import { createServer } from "node:http";
import { mkdir, readFile } from "node:fs/promises";
import { existsSync } from "node:fs";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const AXE_SCRIPT = require.resolve("axe-core/axe.min.js");
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const SCREENSHOTS = process.env.SCREENSHOT_DIR || path.resolve(here, "../../target/screenshots");
// Debian's Chromium as root on a machine with no network beyond package
// registries: no sandbox, no GPU, and no background connections (which this
// network refuses, many at a time).
const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];
const TIMEOUT_MS = 15000;

// One page of each kind and every page type a reader lands on.
const PAGES = [
  ["home", "index.html"],
  ["actor", "actors/volodymyr-zelensky/index.html"],
  ["actor-country", "actors/ukraine/index.html"],
  ["meeting", "meetings/paris-summit-2026/index.html"],
  ["proposal", "proposals/graham-blumenthal-sanctions-bill/index.html"],
  ["source", "sources/rbc-ukraine-week-in-peace-talks/index.html"],
  ["page", "pages/about/index.html"],
  ["list", "actors/index.html"],
  ["list-page-2", "actors/page/2/index.html"],
  ["timeline", "timeline/index.html"],
  ["map", "map/index.html"],
  ["proposal-list", "proposals/index.html"],
  ["questions", "questions/index.html"],
  ["questions-page-2", "questions/page/2/index.html"],
  ["tags", "tags/index.html"],
  ["tag", "tags/peace-plan/index.html"],
  ["search", "search/index.html"],
  ["search-results", "search/index.html?q=witkoff"],
  ["not-found", "no/such/page/"],
  // The second language: a translated page, a fallback (not yet
  // translated), a list and the timeline in Ukrainian.
  ["uk-home", "uk/index.html"],
  ["uk-actor", "uk/actors/volodymyr-zelensky/index.html"],
  ["uk-fallback", "uk/actors/andrii-yermak/index.html"],
  ["uk-meeting", "uk/meetings/paris-summit-2026/index.html"],
  ["uk-list", "uk/actors/index.html"],
  ["uk-timeline", "uk/timeline/index.html"],
];
// Screenshots of these at both widths and in both schemes.
const SHOT_PAGES = ["home", "actor", "meeting", "proposal", "source", "list-page-2", "timeline", "map", "proposal-list", "questions", "search-results", "not-found", "uk-home", "uk-actor", "uk-fallback"];
const WIDTHS = [390, 1280];
const SCHEMES = ["light", "dark"];

const outDir = path.resolve(process.argv[2] || "");
if (!process.argv[2] || !existsSync(path.join(outDir, "index.html"))) {
  console.error("usage: node tests/browser/run.mjs OUTDIR  (OUTDIR: a built explainer site)");
  process.exit(2);
}

// ---- a tiny test harness ------------------------------------------------

const results = [];
async function check(name, fn) {
  const started = Date.now();
  try {
    await fn();
    results.push(true);
    console.log(`ok - ${name} (${Date.now() - started} ms)`);
  } catch (e) {
    results.push(false);
    const message = String((e && e.message) || e).split("\n").slice(0, 12).join("\n  ");
    console.log(`not ok - ${name}\n  ${message}`);
  }
}
function assert(condition, message) {
  if (!condition) throw new Error(message);
}

// ---- a static server under the base_url's path --------------------------

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
};

async function basePath() {
  const robots = await readFile(path.join(outDir, "robots.txt"), "utf8");
  const line = robots.split("\n").find((l) => l.startsWith("Sitemap:"));
  assert(line, "robots.txt names no sitemap");
  return new URL(line.slice("Sitemap:".length).trim()).pathname.replace(/sitemap\.xml$/, "");
}

async function serve(prefix) {
  const server = createServer(async (req, res) => {
    const url = new URL(req.url, "http://127.0.0.1");
    let rel = decodeURIComponent(url.pathname);
    if (!rel.startsWith(prefix)) return notFound(res);
    rel = rel.slice(prefix.length);
    if (rel === "" || rel.endsWith("/")) rel += "index.html";
    const file = path.join(outDir, rel);
    if (!file.startsWith(outDir + path.sep)) return notFound(res);
    try {
      const body = await readFile(file);
      res.writeHead(200, { "content-type": TYPES[path.extname(file)] || "application/octet-stream" });
      res.end(body);
    } catch {
      notFound(res);
    }
  });
  async function notFound(res) {
    // As static hosts do: the site's 404.html, whatever the depth.
    res.writeHead(404, { "content-type": TYPES[".html"] });
    res.end(await readFile(path.join(outDir, "404.html")));
  }
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}

// ---- checks --------------------------------------------------------------

async function axeViolations(page) {
  await page.addScriptTag({ path: AXE_SCRIPT });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => ({
      id: v.id,
      impact: v.impact,
      help: v.help,
      nodes: v.nodes.map((n) => `${n.target.join(" ")}: ${(n.failureSummary || "").replace(/\s+/g, " ")}`),
    }));
  });
}

async function searchFor(page, text) {
  const input = page.locator("#search-input");
  await input.fill("");
  await input.pressSequentially(text, { delay: 15 });
  await page.locator("#search-results li a").first().waitFor();
}

async function firstResult(page) {
  const a = page.locator("#search-results li a").first();
  return { text: (await a.textContent()).trim(), href: await a.getAttribute("href") };
}

async function main() {
  const prefix = await basePath();
  const server = await serve(prefix);
  const origin = `http://127.0.0.1:${server.address().port}`;
  const site = (rel) => `${origin}${prefix}${rel}`;
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
  context.setDefaultTimeout(TIMEOUT_MS);
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(`${page.url()}: ${e.message}`));
  page.on("console", (m) => {
    // A missing file shows up below, with its address.
    if (m.type() === "error" && !m.text().startsWith("Failed to load resource")) errors.push(`${page.url()}: ${m.text()}`);
  });
  page.on("response", (r) => {
    if (r.status() >= 400 && r.request().resourceType() !== "document") errors.push(`${page.url()}: ${r.status()} for ${r.url()}`);
  });
  page.on("requestfailed", (r) => {
    // Leaving a page cancels what it was still loading (the favicon): fine.
    const why = r.failure()?.errorText || "";
    if (why !== "net::ERR_ABORTED") errors.push(`${page.url()}: ${why} for ${r.url()}`);
  });
  const perRule = new Map();
  let axeRuns = 0;

  for (const scheme of SCHEMES) {
    for (const [name, rel] of PAGES) {
      await check(`axe finds nothing on ${name} (${scheme})`, async () => {
        await page.emulateMedia({ colorScheme: scheme });
        await page.goto(site(rel));
        const violations = await axeViolations(page);
        axeRuns += 1;
        for (const v of violations) {
          perRule.set(v.id, (perRule.get(v.id) || 0) + v.nodes.length);
        }
        assert(
          violations.length === 0,
          violations.map((v) => `${v.id} (${v.impact}): ${v.help}\n    ${v.nodes.slice(0, 4).join("\n    ")}`).join("\n"),
        );
      });
    }
  }
  await page.emulateMedia({ colorScheme: "light" });
  const total = [...perRule.values()].reduce((a, b) => a + b, 0);
  console.log(`# axe: ${axeRuns} page runs, ${total} violating nodes${total ? ": " + [...perRule].map(([k, v]) => `${k} ${v}`).join(", ") : ""}`);

  await check("search: typing a name lists its page, Enter opens it", async () => {
    await page.goto(site("search/index.html"));
    await searchFor(page, "Zelensky");
    const top = await firstResult(page);
    assert(top.text === "Volodymyr Zelensky", `first result is ${top.text}`);
    await page.locator("#search-input").press("Enter");
    await page.waitForURL(/actors\/volodymyr-zelensky\/index\.html$/);
  });

  await check("search: a Cyrillic alias (Зеленський) finds the page", async () => {
    await page.goto(site("search/index.html"));
    await searchFor(page, "Зеленський");
    const top = await firstResult(page);
    assert(top.text === "Volodymyr Zelensky", `first result is ${top.text}`);
    await page.locator("#search-input").press("Enter");
    await page.waitForURL(/actors\/volodymyr-zelensky\/index\.html$/);
  });

  await check("search: 'Украіна' finds 'Україна' (diacritics ignored)", async () => {
    await page.goto(site("search/index.html"));
    await searchFor(page, "Украіна");
    const top = await firstResult(page);
    assert(top.href.endsWith("actors/ukraine/index.html"), `first result is ${top.text}`);
    await page.locator("#search-input").press("Enter");
    await page.waitForURL(/actors\/ukraine\/index\.html$/);
  });

  await check("search: a surname lists the people before meetings named after them", async () => {
    await page.goto(site("search/index.html"));
    await searchFor(page, "Kushner");
    const titles = await page.locator("#search-results li a").allTextContents();
    assert(
      ["Charles Kushner", "Jared Kushner"].every((t) => titles.slice(0, 2).includes(t)),
      `first results: ${titles.slice(0, 4).join(", ")}`,
    );
  });

  await check("search: key facts and body text are searched", async () => {
    await page.goto(site("search/index.html"));
    // "Linda Thomas-Graham" appears only in key facts; "tankers" only in
    // fact values and bodies.
    await searchFor(page, "Thomas-Graham");
    const facts = await page.locator("#search-results li a").allTextContents();
    assert(facts.length > 0, "no result for a name found only in key facts");
    await searchFor(page, "tankers");
    const body = await page.locator("#search-results li a").allTextContents();
    assert(body.length > 0, "no result for a word of the body");
  });

  await check("search: arrow keys move through results and Enter opens the chosen one", async () => {
    await page.goto(site("search/index.html"));
    await searchFor(page, "Witkoff");
    const links = page.locator("#search-results li a");
    assert((await links.count()) >= 2, "fewer than two results for Witkoff");
    const second = await links.nth(1).getAttribute("href");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    const focused = await page.evaluate(() => document.activeElement.getAttribute("href"));
    assert(focused === second, `focus is on ${focused}, not the second result ${second}`);
    await page.keyboard.press("ArrowUp");
    await page.keyboard.press("ArrowUp");
    const back = await page.evaluate(() => document.activeElement.id);
    assert(back === "search-input", `ArrowUp from the first result went to #${back}`);
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("ArrowDown");
    await page.keyboard.press("Enter");
    await page.waitForURL((u) => u.href.endsWith(second.replace(/^(\.\.\/)+/, "")));
  });

  await check("search: the kind filter keeps only that kind, and shows kind labels", async () => {
    await page.goto(site("search/index.html"));
    await searchFor(page, "Paris");
    await page.selectOption("#search-kind", "meeting");
    await page.waitForFunction(() =>
      [...document.querySelectorAll("#search-results .kind-label")].every((l) => l.textContent === "Meeting"),
    );
    const labels = await page.locator("#search-results .kind-label").allTextContents();
    assert(labels.length > 0 && labels.every((l) => l === "Meeting"), `labels: ${labels.join(", ")}`);
  });

  await check("search: markup typed in the box is shown as text, never parsed", async () => {
    await page.goto(site("search/index.html"));
    await page.locator("#search-input").fill('<img src=x onerror="window.pwned=1">');
    await page.waitForTimeout(100);
    const injected = await page.evaluate(() => document.querySelectorAll("#search-results img, #search-status img").length + (window.pwned || 0));
    assert(injected === 0, "markup from the query reached the DOM");
  });

  await check("search: the header box goes to /search/?q= and Enter opens the top result", async () => {
    await page.goto(site("actors/index.html"));
    await page.locator("#site-search").fill("Macron");
    await page.locator("#site-search").press("Enter");
    await page.waitForURL(/search\/index\.html\?q=Macron$/);
    await page.locator("#search-results li a").first().waitFor();
    const top = await firstResult(page);
    assert(top.text === "Emmanuel Macron", `first result is ${top.text}`);
    assert((await page.locator("#search-input").inputValue()) === "Macron", "query not put back in the box");
    await page.locator("#search-input").press("Enter");
    await page.waitForURL(/actors\/emmanuel-macron\/index\.html$/);
  });

  await check("404: served at any depth under the sub-path, styled, links work", async () => {
    const response = await page.goto(site("no/such/deep/page/"));
    assert(response.status() === 404, `status ${response.status()}`);
    const styled = await page.evaluate(() => getComputedStyle(document.body).fontFamily.includes("Georgia"));
    assert(styled, "the stylesheet did not load on the 404 page");
    await page.getByRole("link", { name: "Go to the front page" }).click();
    await page.waitForURL(site("index.html"));
    assert((await page.title()).length > 0, "front page has no title");
  });

  await check("SRI over HTTP: the stylesheet and the search script carry the sha384 of their bytes", async () => {
    await page.goto(site("search/index.html"));
    await page.locator("#search-form").waitFor();
    const linked = await page.evaluate(() =>
      [...document.querySelectorAll("link[rel=stylesheet], script[src]")].map((e) => ({ url: e.href || e.src, integrity: e.integrity })),
    );
    const hashed = linked.filter((l) => /\.[0-9a-f]{16}\.(css|js)$/.test(l.url));
    assert(hashed.length === 2, `hashed assets linked: ${JSON.stringify(linked)}`);
    for (const { url, integrity } of hashed) {
      const bytes = await readFile(path.join(outDir, path.basename(new URL(url).pathname)));
      const expected = `sha384-${createHash("sha384").update(bytes).digest("base64")}`;
      assert(integrity === expected, `${url}: integrity ${integrity}, the file's is ${expected}`);
    }
    const styled = await page.evaluate(() => getComputedStyle(document.body).fontFamily.includes("Georgia"));
    assert(styled, "the stylesheet did not load with its integrity");
  });

  await check("SRI over HTTP: a stylesheet and a script altered on the way are refused", async () => {
    const altered = await browser.newContext();
    const p = await altered.newPage();
    await p.route(/\.[0-9a-f]{16}\.(css|js)$/, async (route) => {
      const response = await route.fetch();
      await route.fulfill({ response, body: `${await response.text()}\n/* altered */` });
    });
    const refused = [];
    p.on("console", (m) => {
      if (m.type() === "error" && m.text().includes("integrity")) refused.push(m.text());
    });
    await p.goto(site("search/index.html"));
    await p.waitForLoadState("load");
    const styled = await p.evaluate(() => getComputedStyle(document.body).fontFamily.includes("Georgia"));
    const searchRan = await p.evaluate(() => !document.querySelector("#search-form").hidden);
    await altered.close();
    assert(!styled, "an altered stylesheet was applied");
    assert(!searchRan, "an altered search script ran");
    assert(refused.length === 2, `refusals: ${refused.join("\n")}`);
  });

  await check("file://: a page opened from disk navigates to another by a click", async () => {
    await page.goto(pathToFileURL(path.join(outDir, "index.html")).href);
    await page.locator(".site-nav").getByRole("link", { name: "Actors", exact: true }).click();
    await page.waitForURL(/\/actors\/index\.html$/);
    assert((await page.locator("h1").textContent()).trim() === "Actors", "actors list not shown");
    // The list is in pages of 20: Zelensky is on the second.
    await page.locator(".pagination").getByRole("link", { name: "Next →" }).click();
    await page.waitForURL(/\/actors\/page\/2\/index\.html$/);
    assert((await page.title()).startsWith("Actors, page 2"), "the second page has no title of its own");
    await page.locator("main").getByRole("link", { name: "Volodymyr Zelensky", exact: true }).click();
    await page.waitForURL(/\/actors\/volodymyr-zelensky\/index\.html$/);
    const styled = await page.evaluate(() => getComputedStyle(document.body).fontFamily.includes("Georgia"));
    assert(styled, "the stylesheet did not load from file://");
    // Chromium refuses a file with `integrity` opened from disk: the
    // theme's loader leaves it out there (docs/templates.md).
    const integrity = await page.evaluate(() => document.querySelector("link[rel=stylesheet]").hasAttribute("integrity"));
    assert(!integrity, "the stylesheet is linked with integrity from file://");
  });

  await check("file://: the header search works from disk", async () => {
    await page.goto(pathToFileURL(path.join(outDir, "actors/ukraine/index.html")).href);
    await page.locator("#site-search").fill("Sybiha");
    await page.locator("#site-search").press("Enter");
    await page.waitForURL(/search\/index\.html\?q=Sybiha$/);
    await page.locator("#search-results li a").first().waitFor();
    assert((await firstResult(page)).text === "Andrii Sybiha", "Sybiha not found from file://");
    await page.locator("#search-input").press("Enter");
    await page.waitForURL(/^file:.*actors\/andrii-sybiha\/index\.html$/);
  });

  await check("no JavaScript: the search page says so and offers the lists", async () => {
    const noJs = await browser.newContext({ javaScriptEnabled: false });
    const p = await noJs.newPage();
    await p.goto(site("search/index.html"));
    const notice = p.locator(".notice");
    assert(await notice.isVisible(), "no visible notice without JavaScript");
    assert((await notice.textContent()).includes("JavaScript"), "the notice does not mention JavaScript");
    assert(!(await p.locator("#search-input").isVisible()), "a search box that cannot work is shown");
    // The stylesheet's loader is a script: <noscript> links it instead.
    const styled = await p.evaluate(() => getComputedStyle(document.body).fontFamily.includes("Georgia"));
    assert(styled, "the stylesheet did not load without JavaScript");
    await noJs.close();
  });

  await check("screenshots at 390 and 1280 px, light and dark", async () => {
    await mkdir(SCREENSHOTS, { recursive: true });
    for (const width of WIDTHS) {
      await page.setViewportSize({ width, height: 900 });
      for (const scheme of SCHEMES) {
        await page.emulateMedia({ colorScheme: scheme });
        for (const [name, rel] of PAGES.filter(([n]) => SHOT_PAGES.includes(n))) {
          await page.goto(site(rel));
          const file = path.join(SCREENSHOTS, `${name}-${width}-${scheme}.png`);
          await page.screenshot({ path: file, fullPage: true });
          const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
          assert(overflow <= 0, `${name} at ${width} px scrolls sideways by ${overflow} px`);
        }
      }
    }
    console.log(`# screenshots in ${SCREENSHOTS}`);
  });

  await check("no script errors or missing files on any page visited", async () => {
    assert(errors.length === 0, errors.join("\n"));
  });

  await browser.close();
  server.close();
}

try {
  await main();
} catch (e) {
  results.push(false);
  console.log(`not ok - the browser run stopped: ${(e && e.stack) || e}`);
}
const passed = results.filter(Boolean).length;
const failed = results.length - passed;
console.log(`${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
