#!/usr/bin/env node
// Measures every drawn figure of a built explainer site the way a reader's
// browser lays it out: on each page with a figure (entity pages with a
// neighbourhood map, /map/, and /timeline/, whose chart is a styled list),
// at 390 and 1280 px, every label's bounding box must not overlap another
// label, no drawn line may run through a label (for the timeline: no label
// crosses its axis), and no label may render smaller than 12 CSS px.
//
//   node tests/browser/figures.mjs OUTDIR
//
// Pages are opened from file:// (no server needed; the figures have no
// script). Prints one `ok - …` or `not ok - …` line per page and width,
// then `N passed, N failed`; exits 1 if any check failed. tests/browser.rs
// runs it.

import { readdir } from "node:fs/promises";
import { existsSync } from "node:fs";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { chromium } from "playwright-core";

const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"];
const WIDTHS = [390, 1280];
/// Smallest label a reader is asked to read, in CSS px.
const MIN_FONT_PX = 12;
/// Boxes touching by less than this (rounding) do not count as overlapping.
const SLACK_PX = 0.5;

const outDir = path.resolve(process.argv[2] || "");
if (!process.argv[2] || !existsSync(path.join(outDir, "index.html"))) {
  console.error("usage: node tests/browser/figures.mjs OUTDIR  (OUTDIR: a built explainer site)");
  process.exit(2);
}

/// Entity pages of the kinds that carry figures, and the two site figures.
async function pagesToMeasure() {
  const pages = ["map/index.html", "timeline/index.html"];
  for (const section of ["actors", "meetings", "proposals"]) {
    const entries = await readdir(path.join(outDir, section), { withFileTypes: true });
    for (const e of entries) {
      if (e.isDirectory() && e.name !== "page" && existsSync(path.join(outDir, section, e.name, "index.html"))) {
        pages.push(`${section}/${e.name}/index.html`);
      }
    }
  }
  return pages;
}

/// Runs in the page: every problem with the figures' labels, as text.
function measureFigures({ minFont, slack }) {
  const problems = [];
  const figures = [...document.querySelectorAll("svg.viz")];
  const box = (r) => ({ l: r.left, t: r.top, r: r.right, b: r.bottom });
  const overlap = (a, b) => a.l < b.r - slack && b.l < a.r - slack && a.t < b.b - slack && b.t < a.b - slack;
  const inside = (p, a) => p.x > a.l + slack && p.x < a.r - slack && p.y > a.t + slack && p.y < a.b - slack;
  figures.forEach((svg, f) => {
    const labels = [...svg.querySelectorAll("text")]
      .map((el) => ({ el, rect: box(el.getBoundingClientRect()), text: el.textContent.trim() }))
      .filter((l) => l.text && l.rect.r - l.rect.l > 0);
    for (const l of labels) {
      const scale = Math.hypot(l.el.getScreenCTM().a, l.el.getScreenCTM().b);
      const px = parseFloat(getComputedStyle(l.el).fontSize) * scale;
      if (px < minFont - 0.01) problems.push(`figure ${f + 1}: "${l.text}" is ${px.toFixed(1)} px`);
    }
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) {
        if (overlap(labels[i].rect, labels[j].rect)) {
          problems.push(`figure ${f + 1}: "${labels[i].text}" overlaps "${labels[j].text}"`);
        }
      }
    }
    for (const line of svg.querySelectorAll("line, path, polyline")) {
      if (line.closest("defs, marker, symbol")) continue;
      const total = line.getTotalLength();
      const ctm = line.getScreenCTM();
      const steps = Math.max(8, Math.ceil(total / 2));
      for (let s = 0; s <= steps; s++) {
        const p = line.getPointAtLength((total * s) / steps).matrixTransform(ctm);
        const hit = labels.find((l) => inside(p, l.rect));
        if (hit) {
          problems.push(`figure ${f + 1}: a ${line.getAttribute("class") || line.tagName} line runs through "${hit.text}"`);
          break;
        }
      }
    }
  });
  // The timeline: one list drawn as a chart, its axis the list's left border.
  const timelines = [...document.querySelectorAll(".tl")];
  timelines.forEach((tl) => {
    const labels = [...tl.querySelectorAll("time, .kind-label, .status, .tl-head a, .tl-gap-line span, h2")]
      .map((el) => ({ el, rect: box(el.getBoundingClientRect()), text: el.textContent.trim() }))
      .filter((l) => l.text && l.rect.r - l.rect.l > 0);
    for (const l of labels) {
      const px = parseFloat(getComputedStyle(l.el).fontSize);
      if (px < minFont - 0.01) problems.push(`timeline: "${l.text}" is ${px.toFixed(1)} px`);
      const axis = l.el.closest(".timeline");
      if (axis) {
        const x = axis.getBoundingClientRect().left + parseFloat(getComputedStyle(axis).borderLeftWidth);
        if (l.rect.l < x + 6) problems.push(`timeline: "${l.text}" touches the axis`);
      }
    }
    for (let i = 0; i < labels.length; i++) {
      for (let j = i + 1; j < labels.length; j++) {
        if (labels[i].el.contains(labels[j].el) || labels[j].el.contains(labels[i].el)) continue;
        if (overlap(labels[i].rect, labels[j].rect)) {
          problems.push(`timeline: "${labels[i].text}" overlaps "${labels[j].text}"`);
        }
      }
    }
  });
  return { figures: figures.length + timelines.length, problems };
}

async function main() {
  const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, headless: true });
  const page = await browser.newPage();
  const pages = await pagesToMeasure();
  let passed = 0;
  let failed = 0;
  let measured = 0;
  for (const width of WIDTHS) {
    await page.setViewportSize({ width, height: 900 });
    for (const rel of pages) {
      await page.goto(pathToFileURL(path.join(outDir, rel)).href);
      const { figures, problems } = await page.evaluate(measureFigures, { minFont: MIN_FONT_PX, slack: SLACK_PX });
      if (figures === 0) continue;
      measured += figures;
      if (problems.length === 0) {
        passed += 1;
        console.log(`ok - ${rel} at ${width} px (${figures} figures)`);
      } else {
        failed += 1;
        console.log(`not ok - ${rel} at ${width} px\n  ${problems.slice(0, 12).join("\n  ")}${problems.length > 12 ? `\n  … ${problems.length - 12} more` : ""}`);
      }
    }
  }
  await browser.close();
  if (measured === 0 || !pages.some((p) => p.startsWith("map/"))) {
    failed += 1;
    console.log("not ok - no figure was found to measure");
  }
  console.log(`# figures measured: ${measured}`);
  console.log(`${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

await main();
