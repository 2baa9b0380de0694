// Standards over the built example site: the Nu HTML Checker on every page, axe-core (WCAG 2.1
// A/AA) on the pages workers use at phone and desktop widths, and the first-load budget
// (HTML + CSS + JS of a page ≤ 100 KB uncompressed, nothing from another host).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import fs from "node:fs";
import path from "node:path";
import { createRequire } from "node:module";
import { setup, open, PHONE, DESKTOP, REPO } from "./lib.mjs";

const require = createRequire(import.meta.url);
let env;
before(async () => { env = await setup(); });
after(async () => env && env.close());

function htmlFiles(dir) {
  return fs.readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile() && e.name.endsWith(".html"))
    .map((e) => path.join(e.parentPath ?? e.path, e.name))
    .sort();
}

test("the Nu HTML Checker finds no error on any page", () => {
  const jar = require.resolve("vnu-jar/build/dist/vnu.jar");
  // vnu writes its JSON report to stderr and exits 1 when it found errors.
  const run = spawnSync("java", ["-jar", jar, "--errors-only", "--skip-non-html", "--format", "json", env.out], { encoding: "utf8", maxBuffer: 64 << 20 });
  assert.ok(run.status === 0 || run.status === 1, `vnu did not run: ${run.error || run.stderr}`);
  const messages = JSON.parse(run.stderr || "{\"messages\":[]}").messages.filter((m) => m.type === "error");
  const report = messages.slice(0, 20).map((m) => `${m.url.replace("file:" + env.out, "")}:${m.lastLine}: ${m.message}`).join("\n");
  assert.equal(messages.length, 0, report);
  assert.ok(htmlFiles(env.out).length > 100, "every page of the example was checked");
});

test("axe-core finds no WCAG 2.1 A/AA violation at 390×844 and 1366×900", async () => {
  const axe = fs.readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
  const lectures = JSON.parse(fs.readFileSync(path.join(env.out, "lectures.json"), "utf8")).items;
  const lecture = lectures.find((l) => l.available);
  const pages = [
    "", "lectures/", "lectures/?cat=" + encodeURIComponent(lecture.category.name), "lecturers/",
    lecture.lecturers[0].url.slice(1), lecture.url.slice(1), "brands/zheneng/", "lectures/basket/", "lectures/print/",
  ];
  if (fs.existsSync(path.join(env.out, "search/index.html"))) pages.push("search/");
  console.log(`axe checks: ${pages.map((p) => "/" + p).join(" ")}`);
  const problems = [];
  for (const vp of [PHONE, DESKTOP]) {
    const { page, context } = await open(env, vp);
    // A basket with something in it, so its order form and channels are checked too.
    await page.goto(env.url);
    await page.evaluate((s) => localStorage.setItem("caidan-basket:/", JSON.stringify({ items: [s], fields: {} })), lecture.slug);
    for (const rel of pages) {
      await page.goto(env.url + rel);
      await page.addScriptTag({ content: axe });
      const result = await page.evaluate(() => window.axe.run(document, { runOnly: { type: "tag", values: ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"] } }));
      for (const v of result.violations) {
        problems.push(`${vp.width}px /${rel}: ${v.id} (${v.impact}) ${v.nodes.slice(0, 3).map((n) => n.target.join(" ")).join(", ")}`);
      }
    }
    await context.close();
  }
  assert.deepEqual(problems, []);
});

test("the first load of every page is at most 100 KB of HTML, CSS and JS, all from the site", () => {
  const over = [];
  let biggest = ["", 0];
  for (const file of htmlFiles(env.out)) {
    const html = fs.readFileSync(file, "utf8");
    let total = Buffer.byteLength(html);
    const refs = [...html.matchAll(/<link[^>]+rel="stylesheet"[^>]+href="([^"]+)"|<script[^>]+src="([^"]+)"/g)].map((m) => m[1] || m[2]);
    for (const ref of refs) {
      assert.ok(ref.startsWith("/"), `${file}: ${ref} is not on the site`);
      total += fs.statSync(path.join(env.out, decodeURI(ref))).size;
    }
    assert.ok(!/\b(src|href)="(https?:)?\/\/(?!example\.org)[^"]*\.(js|css)"/.test(html), `${file} loads from another host`);
    const rel = path.relative(env.out, file);
    if (total > biggest[1]) biggest = [rel, total];
    if (total > 100 * 1024) over.push(`${rel}: ${total} bytes`);
  }
  console.log(`largest first load: ${biggest[0]} ${biggest[1]} bytes`);
  assert.deepEqual(over, []);
});
