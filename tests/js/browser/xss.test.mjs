// Hostile content (issue 7) in real Chromium: the fixture tests/fixtures/xss puts markup that calls
// __xss(n) in every field and body. Every page is opened, and the menu filters, the 点单篮 and the
// search page are driven with payload text (stored and in the URL); no payload may run.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { setup, open, REPO } from "./lib.mjs";

const PAYLOAD = "<img src=x onerror=__xss(9001)>\"'><svg onload=__xss(9002)>";

let env;
before(async () => {
  env = await setup(path.join(REPO, "tests/fixtures/xss"));
});
after(async () => env && env.close());

/** A page whose __xss calls (in any frame) and dialogs are recorded in Node. */
async function watched(viewport) {
  const o = await open(env, viewport);
  o.hits = [];
  o.dialogs = [];
  await o.context.exposeFunction("__xss", (n) => { o.hits.push(n); });
  o.page.on("dialog", (d) => { o.dialogs.push(d.message()); d.dismiss().catch(() => {}); });
  return o;
}

function pages(dir, rel = "") {
  return fs.readdirSync(path.join(dir, rel), { withFileTypes: true }).flatMap((e) => {
    const r = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) return pages(dir, r);
    return e.name.endsWith(".html") || e.name.endsWith(".xml") ? [r] : [];
  });
}

const urlOf = (rel) => rel.replace(/(^|\/)index\.html$/, "$1").split("/").map(encodeURIComponent).join("/");

/** Lets late handlers (image errors, SVG loads, timers) fire. */
const settle = (page) => page.waitForTimeout(150);

test("the hook sees a payload that does run", async () => {
  const { page, context, hits } = await watched();
  await page.goto(env.url);
  await page.evaluate(() => document.body.insertAdjacentHTML("beforeend", "<img src=x onerror=__xss(0)>"));
  await page.waitForFunction(() => true);
  for (let i = 0; i < 50 && !hits.length; i++) await settle(page);
  assert.deepEqual(hits, [0], "the __xss hook works, so zero hits elsewhere means something");
  await context.close();
});

test("no payload runs on any page", async () => {
  const { page, context, hits, dialogs, errors, foreign } = await watched();
  const all = pages(env.out);
  assert.ok(all.length > 50, `only ${all.length} pages`);
  for (const rel of all) {
    const res = await page.goto(env.url + urlOf(rel));
    assert.ok(res && res.status() < 400, `${rel}: ${res && res.status()}`);
    // Hover over the page: a handler that waits for the pointer must not be there either.
    for (const [x, y] of [[20, 20], [200, 300], [300, 600]]) await page.mouse.move(x, y);
    await settle(page);
    assert.deepEqual(hits, [], `payload ran on ${rel}`);
  }
  assert.deepEqual(dialogs, []);
  assert.deepEqual(errors, [], "the theme's scripts ran without errors");
  // Payload images and links point at example.invalid: blocked, never loaded.
  assert.ok(foreign.every((u) => u.includes("example.invalid")), foreign.join("\n"));
  await context.close();
});

test("menu filters with payload categories and payload text run nothing", async () => {
  const { page, context, hits, dialogs, errors } = await watched();
  await page.goto(env.url + "lectures/");
  const boxes = await page.$$("form[data-filters] input[type=checkbox]");
  assert.ok(boxes.length > 5);
  if (await page.isVisible(".more-filters summary")) await page.click(".more-filters summary");
  for (const box of boxes) {
    if (await box.isVisible()) await box.click();
  }
  await page.fill("form[data-filters] input[name=q]", PAYLOAD);
  await page.waitForFunction((q) => new URLSearchParams(location.search).get("q") === q, PAYLOAD);
  await page.reload();
  await settle(page);
  // The query comes back from the URL as text in the box, nowhere as markup.
  assert.equal(await page.inputValue("form[data-filters] input[name=q]"), PAYLOAD);
  await page.goto(env.url + "lecturers/?q=" + encodeURIComponent(PAYLOAD) + "&region=" + encodeURIComponent(PAYLOAD));
  await settle(page);
  assert.deepEqual(hits, []);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("the 点单篮 shows stored and payload titles as text", async () => {
  const { page, context, hits, dialogs, errors } = await watched();
  await page.goto(env.url + "lectures/");
  const adds = await page.$$eval("[data-add]", (els) => [...new Set(els.map((e) => e.dataset.add))]);
  assert.ok(adds.length >= 2, "payload lectures can be ordered");
  for (const slug of adds) await page.click(`[data-add="${slug}"] >> nth=0`);
  await page.click("[data-basket-link]");
  await page.waitForSelector("[data-basket-list] .basket-title");
  const titles = await page.$$eval("[data-basket-list] .basket-title", (els) => els.map((e) => e.textContent));
  assert.ok(titles.every((t) => t.includes("<img src=x onerror=__xss(")), titles.join("\n"));
  for (const input of await page.$$("[data-field]")) await input.fill(PAYLOAD);
  assert.match(await page.inputValue("[data-order-text]"), /<svg onload=__xss\(9002\)>/);
  await page.click("[data-show-qr]");
  await page.waitForSelector("[data-qr-slot] svg");
  await settle(page);

  // What another page (or a tampered profile) left in storage is text too.
  await page.evaluate(([k, v]) => localStorage.setItem(k, v), [
    "caidan-basket:/",
    JSON.stringify({ items: [PAYLOAD, "__proto__", "constructor", adds[0]], fields: { [PAYLOAD]: PAYLOAD, 单位名称: PAYLOAD } }),
  ]);
  await page.reload();
  await page.waitForSelector("[data-basket-refused-list] li");
  const refused = await page.$$eval("[data-basket-refused-list] li", (els) => els.map((e) => e.firstChild.textContent));
  assert.deepEqual(refused, [PAYLOAD, "__proto__", "constructor"], "unknown slugs are listed by name, as text");
  await settle(page);
  assert.deepEqual(hits, []);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("search treats the query and the indexed text as text", async () => {
  const { page, context, hits, dialogs, errors } = await watched();
  await page.goto(env.url + "search/?q=" + encodeURIComponent("<img src=x onerror=__xss(1)>"));
  await page.waitForFunction(() => !document.getElementById("search").hasAttribute("aria-busy") && /结果|没有/.test(document.getElementById("search-status").textContent));
  assert.equal(await page.inputValue("#search-q"), "<img src=x onerror=__xss(1)>");
  // Payload text in titles and bodies: results and excerpts show it, highlighted, as text.
  for (const q of ["onerror=__xss", "<svg onload", "</script><script>", "\"'>"]) {
    await page.fill("#search-q", q);
    await page.press("#search-q", "Enter");
    await page.waitForSelector("#search-results li");
    const shown = await page.textContent("#search-results");
    assert.ok(shown.includes(q.replace(/\s+/g, " ").trim()) || shown.includes("__xss"), `${q}: ${shown.slice(0, 200)}`);
    await settle(page);
  }
  // Facets whose values are payload tags and regions.
  for (const d of await page.$$("#search-facets details")) await d.evaluate((e) => { e.open = true; });
  await page.waitForSelector("#search-facets input[data-field=tag]");
  const boxes = await page.$$("#search-facets input[type=checkbox]");
  for (const b of boxes.slice(0, 8)) if (await b.isVisible()) await b.click();
  await settle(page);
  if (await page.isVisible("#search-more")) {
    await page.click("#search-more");
    await settle(page);
  }
  assert.deepEqual(hits, []);
  assert.deepEqual(dialogs, []);
  assert.deepEqual(errors, []);
  await context.close();
});
