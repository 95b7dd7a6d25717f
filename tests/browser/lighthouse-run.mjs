// Lighthouse driving Debian's Chromium, as lighthouse.mjs and photos.mjs
// both run it: one Chromium for a series of runs, with its default mobile
// settings.

import lighthouse from "lighthouse";
import * as chromeLauncher from "chrome-launcher";

export const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";
const FLAGS = ["--headless=new", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"];

/// Starts a Chromium for Lighthouse; `run(url, categories)` gives a run's
/// report (all categories when none are named), `close()` ends it. The
/// first run of a fresh Chromium pays its start-up, so `warmUp(url)` makes
/// a run whose report is thrown away.
export async function startLighthouse() {
  const chrome = await chromeLauncher.launch({ chromePath: CHROMIUM, chromeFlags: FLAGS });
  const run = async (url, categories) =>
    (
      await lighthouse(url, {
        port: chrome.port,
        output: "json",
        logLevel: "error",
        ...(categories ? { onlyCategories: categories } : {}),
      })
    ).lhr;
  return {
    run,
    warmUp: (url) => run(url, ["performance"]),
    close: () => chrome.kill(),
  };
}
