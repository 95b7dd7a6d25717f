// A static file server for a built explainer site, as a static host would
// serve it: under the path of the site's base_url (read from robots.txt),
// `index.html` for a folder, and the site's 404.html for anything missing.
// Used by lighthouse.mjs; run.mjs keeps its own copy (it predates this).

import { createServer } from "node:http";
import { readFile } from "node:fs/promises";
import path from "node:path";

const TYPES = {
  ".html": "text/html; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".xml": "application/xml; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".json": "application/json",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".webp": "image/webp",
  ".avif": "image/avif",
};

/// The path part of the site's base_url, from the sitemap line of robots.txt.
export async function basePath(outDir) {
  const robots = await readFile(path.join(outDir, "robots.txt"), "utf8");
  const line = robots.split("\n").find((l) => l.startsWith("Sitemap:"));
  if (!line) throw new Error("robots.txt names no sitemap");
  return new URL(line.slice("Sitemap:".length).trim()).pathname.replace(/sitemap\.xml$/, "");
}

/// Serves `outDir` under `prefix` on 127.0.0.1; resolves to the listening
/// server (its port from `server.address().port`).
export async function serveSite(outDir, prefix) {
  const notFound = async (res) => {
    res.writeHead(404, { "content-type": TYPES[".html"] });
    res.end(await readFile(path.join(outDir, "404.html")));
  };
  const server = createServer(async (req, res) => {
    let rel = decodeURIComponent(new URL(req.url, "http://127.0.0.1").pathname);
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
      await notFound(res);
    }
  });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  return server;
}
