#!/usr/bin/env node
// A page of photographs in the browser: Lighthouse's image audits and
// scores, then the pictures as Chromium loads them at 390 and 1280 px
// (each loaded, WebP chosen, no sideways scroll), axe-core in light and
// dark, and full-page screenshots for a person to look at.
//
//   node tests/browser/photos.mjs OUTDIR PAGE   (PAGE: e.g. actors/x/)
//
// Lighthouse runs with its default mobile settings (412 px wide at a
// device pixel ratio of 1.75, simulated slow 4G). Its image audits must
// pass or not apply: `uses-responsive-images` (no picture much larger than
// shown), `modern-image-formats` (WebP or AVIF), `unsized-images` (width
// and height given) and `offscreen-images` (pictures below the fold load
// lazily); accessibility, best practices and SEO must score 100.
// Performance is printed, not judged (it depends on the machine's load;
// lighthouse.mjs judges it on the main pages). Prints `ok - …` or
// `not ok - …` per check, then `N passed, N failed`; exits 1 if any failed.
// tests/browser.rs runs it.

import { existsSync } from "node:fs";
import { mkdir } from "node:fs/promises";
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { CHROMIUM, startLighthouse } from "./lighthouse-run.mjs";
import { basePath, serveSite } from "./static-server.mjs";

const here = path.dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const AXE_SCRIPT = require.resolve("axe-core/axe.min.js");
const SCREENSHOTS = process.env.SCREENSHOT_DIR || path.resolve(here, "../../target/screenshots");
const PW_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const IMAGE_AUDITS = ["uses-responsive-images", "modern-image-formats", "unsized-images", "offscreen-images"];
const CATEGORIES = { accessibility: 100, "best-practices": 100, seo: 100 };
const WIDTHS = [390, 1280];
const SCHEMES = ["light", "dark"];

const outDir = path.resolve(process.argv[2] || "");
const rel = process.argv[3] || "";
if (!process.argv[3] || !existsSync(path.join(outDir, rel, "index.html"))) {
  console.error("usage: node tests/browser/photos.mjs OUTDIR PAGE  (PAGE: a folder of OUTDIR with an index.html)");
  process.exit(2);
}

const results = [];
async function check(name, fn) {
  try {
    await fn();
    results.push(true);
    console.log(`ok - ${name}`);
  } catch (e) {
    results.push(false);
    console.log(`not ok - ${name}\n  ${String((e && e.message) || e).split("\n").join("\n  ")}`);
  }
}
function assert(condition, message) {
  if (!condition) throw new Error(message);
}

/// An audit passes when it scored 1 or did not apply to the page.
function auditLine(lhr, id) {
  const a = lhr.audits[id];
  if (!a) return [false, `${id}: missing from the report`];
  const items = (a.details && a.details.items) || [];
  const what = items.map((i) => `${i.url || ""} ${i.wastedBytes != null ? `(${i.wastedBytes} B wasted of ${i.totalBytes})` : ""}`.trim());
  const ok = a.scoreDisplayMode === "notApplicable" || a.score === 1;
  const shown = a.scoreDisplayMode === "notApplicable" ? "not applicable" : `score ${a.score}`;
  return [ok, `${id}: ${shown}${what.length ? "; " + what.join("; ") : ""}`];
}

async function runLighthouse(url) {
  const lh = await startLighthouse();
  try {
    await lh.warmUp(url);
    return await lh.run(url);
  } finally {
    await lh.close();
  }
}

async function axeViolations(page) {
  await page.addScriptTag({ path: AXE_SCRIPT });
  return page.evaluate(async () => {
    const r = await window.axe.run(document, { resultTypes: ["violations"] });
    return r.violations.map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
}

/// Every picture of the page once scrolled through: its file, the width
/// it was drawn at, the width of the file chosen and the device's ratio.
async function pictures(page) {
  await page.evaluate(async () => {
    for (let y = 0; y < document.body.scrollHeight; y += window.innerHeight / 2) {
      window.scrollTo(0, y);
      await new Promise((r) => setTimeout(r, 50));
    }
    window.scrollTo(0, 0);
  });
  await page.waitForFunction(() => [...document.images].every((i) => i.complete), null, { timeout: 15000 });
  return page.evaluate(() =>
    [...document.querySelectorAll("main img")].map((i) => {
      // naturalWidth is in CSS pixels for a srcset candidate: the file's
      // width is its `w` descriptor.
      const source = i.parentElement.querySelector("source");
      const candidates = ((source && source.srcset) || "").split(",").map((c) => {
        const [url, w] = c.trim().split(/\s+/);
        return { url: new URL(url, document.baseURI).href, width: parseInt(w, 10) || 0 };
      });
      const chosen = candidates.find((c) => c.url === i.currentSrc);
      return {
        src: i.currentSrc,
        shown: i.getBoundingClientRect().width,
        natural: chosen ? chosen.width : 0,
        widest: Math.max(0, ...candidates.map((c) => c.width)),
        ratio: window.devicePixelRatio,
      };
    }),
  );
}

async function main() {
  const prefix = await basePath(outDir);
  const server = await serveSite(outDir, prefix);
  const url = `http://127.0.0.1:${server.address().port}${prefix}${rel}`;
  try {
    const lhr = await runLighthouse(url);
    const scores = Object.keys(lhr.categories).map((c) => `${c} ${Math.round((lhr.categories[c].score || 0) * 100)}`);
    console.log(`# lighthouse (mobile): ${scores.join(", ")}`);
    for (const id of IMAGE_AUDITS) {
      const [ok, line] = auditLine(lhr, id);
      await check(`lighthouse ${line}`, async () => assert(ok, `${id} did not pass`));
    }
    for (const [category, floor] of Object.entries(CATEGORIES)) {
      const score = Math.round((lhr.categories[category].score || 0) * 100);
      const weak = lhr.categories[category].auditRefs
        .map((ref) => lhr.audits[ref.id])
        .filter((a) => a.score !== null && a.score < 1)
        .map((a) => `${a.id} (${a.displayValue || a.score})`);
      await check(`lighthouse ${category} ${score}`, async () => assert(score >= floor, `below ${floor}: ${weak.join(", ")}`));
    }

    const browser = await chromium.launch({ executablePath: CHROMIUM, args: PW_ARGS, headless: true });
    const errors = [];
    await mkdir(SCREENSHOTS, { recursive: true });
    for (const width of WIDTHS) {
      const context = await browser.newContext({ viewport: { width, height: 900 }, deviceScaleFactor: width < 600 ? 3 : 1 });
      const page = await context.newPage();
      page.on("pageerror", (e) => errors.push(`${width} px: ${e.message}`));
      // A request Chromium cancels itself (a lazy picture whose file it
      // chose again) is not a missing file.
      page.on("requestfailed", (r) => {
        const why = (r.failure() || {}).errorText || "";
        if (why !== "net::ERR_ABORTED") errors.push(`${width} px: ${r.url()} failed (${why})`);
      });
      page.on("response", (r) => r.status() >= 400 && errors.push(`${width} px: ${r.url()} ${r.status()}`));
      await page.goto(url);
      await check(`every picture loads as WebP, sharp enough and not oversized, at ${width} px`, async () => {
        const pics = await pictures(page);
        assert(pics.length >= 3, `only ${pics.length} pictures in <main>`);
        for (const p of pics) {
          const needed = p.shown * p.ratio;
          assert(p.natural > 0, `${p.src} did not load`);
          assert(p.src.endsWith(".webp"), `${p.src} is not the WebP`);
          // The file chosen is at least three quarters as wide as the
          // screen shows it, or the widest there is (Lighthouse's
          // image-size-responsive tolerance: Chromium takes the narrower of
          // two files when the device's ratio is nearer to it), and not
          // more than twice as wide.
          assert(p.natural >= 0.75 * Math.min(needed, p.widest), `${p.src}: ${p.natural} px wide for ${needed.toFixed(0)} device px`);
          assert(p.natural <= 2 * needed, `${p.src}: ${p.natural} px wide for ${needed.toFixed(0)} device px`);
          console.log(`# ${width} px: ${path.basename(new URL(p.src).pathname)} ${p.natural} px for ${p.shown.toFixed(0)} css px x ${p.ratio}`);
        }
      });
      for (const scheme of SCHEMES) {
        await page.emulateMedia({ colorScheme: scheme });
        await check(`axe finds nothing at ${width} px (${scheme})`, async () => {
          const violations = await axeViolations(page);
          assert(violations.length === 0, violations.join("\n"));
        });
        await page.screenshot({ path: path.join(SCREENSHOTS, `photos-${width}-${scheme}.png`), fullPage: true });
      }
      await check(`no sideways scroll at ${width} px`, async () => {
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
        assert(overflow <= 0, `scrolls sideways by ${overflow} px`);
      });
      await context.close();
    }
    await browser.close();
    await check("no script errors or missing files", async () => assert(errors.length === 0, errors.join("\n")));
    console.log(`# screenshots in ${SCREENSHOTS} (photos-*.png)`);
  } finally {
    server.close();
  }
}

try {
  await main();
} catch (e) {
  results.push(false);
  console.log(`not ok - the run stopped: ${(e && e.stack) || e}`);
}
const passed = results.filter(Boolean).length;
console.log(`${passed} passed, ${results.length - passed} failed`);
process.exit(results.length - passed ? 1 : 0);
