#!/usr/bin/env node
// Full-page screenshots of chosen pages of a built site, for a person to
// look at: at 390 and 1280 px, light and dark, from file:// so no server
// is needed. Prints each page's height at 1280 px (light).
//
//   node tests/browser/shots.mjs OUTDIR SHOTDIR PAGE...
//
// PAGE is a path under OUTDIR such as actors/volodymyr-zelensky/index.html.
// With SHOT_TOP=PX, only the top PX pixels of each page are taken.

import { mkdir } from "node:fs/promises";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const ARGS = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"];
const [outDir, shotDir, ...pages] = process.argv.slice(2);
if (!outDir || !shotDir || pages.length === 0) {
  console.error("usage: node tests/browser/shots.mjs OUTDIR SHOTDIR PAGE...");
  process.exit(2);
}
await mkdir(shotDir, { recursive: true });
const browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS, headless: true });
for (const rel of pages) {
  const name = rel.replace(/\/?index\.html$/, "").replace(/[^a-z0-9]+/gi, "-") || "home";
  for (const width of [390, 1280]) {
    for (const scheme of ["light", "dark"]) {
      const page = await browser.newPage({ viewport: { width, height: 900 } });
      await page.emulateMedia({ colorScheme: scheme });
      await page.goto(pathToFileURL(path.join(outDir, rel)).href, { waitUntil: "load" });
      const file = path.join(shotDir, `${name}-${width}-${scheme}.png`);
      const top = Number(process.env.SHOT_TOP || 0);
      const clip = top > 0 ? { x: 0, y: 0, width, height: top } : undefined;
      await page.screenshot({ path: file, fullPage: true, clip });
      if (width === 1280 && scheme === "light") {
        const height = await page.evaluate(() => document.documentElement.scrollHeight);
        console.log(`${rel}\t${height} px at 1280`);
      }
      await page.close();
    }
  }
}
await browser.close();
