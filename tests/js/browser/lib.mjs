// Shared by the browser tests: build the example site once per test file, serve it, launch the
// system Chromium through playwright-core.
import { execFileSync } from "node:child_process";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { serve } from "./server.mjs";

export const REPO = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../..");
export const SHOTS = path.join(REPO, "target/screenshots");
export const PHONE = { width: 390, height: 844 };
export const DESKTOP = { width: 1366, height: 900 };

/** Builds a site (the repository's example site by default) into a fresh temporary folder;
    returns its path. */
export function buildExample(root = REPO) {
  const bin = process.env.CAIDAN_BIN || path.join(REPO, "target/debug/caidan");
  const out = fs.mkdtempSync(path.join(os.tmpdir(), "caidan-browser-"));
  execFileSync(bin, ["--root", root, "build", "--output-dir", out], { stdio: ["ignore", "ignore", "pipe"] });
  return out;
}

/** Builds, serves and launches: { out, url, browser, close() }. */
export async function setup(root = REPO) {
  const out = buildExample(root);
  const server = await serve(out);
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM || "/usr/bin/chromium",
    args: [
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
    ],
  });
  return {
    out,
    url: server.url,
    browser,
    async close() {
      await browser.close();
      await server.close();
      fs.rmSync(out, { recursive: true, force: true });
    },
  };
}

/** A page at the given viewport that fails the test on any request to another host. */
export async function open(env, viewport = PHONE) {
  const context = await env.browser.newContext({ viewport, locale: "zh-CN" });
  const page = await context.newPage();
  const foreign = [];
  await page.route("**/*", (route) => {
    const u = route.request().url();
    if (u.startsWith(env.url) || u.startsWith("data:")) return route.continue();
    foreign.push(u);
    return route.abort();
  });
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  return { context, page, foreign, errors };
}

export function shot(name) {
  fs.mkdirSync(SHOTS, { recursive: true });
  return path.join(SHOTS, name);
}
