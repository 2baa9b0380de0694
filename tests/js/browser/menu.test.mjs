// The lecture menu in real Chromium against the built example site: filters whose state is the
// URL, the 点单篮 across reloads, every order channel, and refusing unavailable lectures.
// Expected card sets are computed from the build's lectures.json, never hard-coded.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import fs from "node:fs";
import path from "node:path";
import { setup, open, PHONE, DESKTOP, shot } from "./lib.mjs";

let env, lectures, lecturers;
before(async () => {
  env = await setup();
  lectures = JSON.parse(fs.readFileSync(path.join(env.out, "lectures.json"), "utf8")).items;
  lecturers = JSON.parse(fs.readFileSync(path.join(env.out, "lecturers.json"), "utf8")).items;
});
after(async () => env && env.close());

const slugs = (list) => list.map((l) => l.slug).sort();
const visible = (page, sel = "[data-lecture]") =>
  page.$$eval(sel, (els) => els.filter((e) => e.offsetParent !== null).map((e) => e.dataset.lecture || e.dataset.lecturer).sort());
const query = (page) => Object.fromEntries([...new URL(page.url()).searchParams.keys()].map((k) => [k, new URL(page.url()).searchParams.getAll(k)]));

test("filtering by category and audience shows exactly the matching cards, and the URL round-trips", async () => {
  const { page, context, foreign, errors } = await open(env, PHONE);
  await page.goto(env.url + "lectures/");
  assert.deepEqual(await visible(page), slugs(lectures), "unfiltered, every lecture shows");

  // A category and an audience that narrows it, from the data.
  const pairs = lectures.flatMap((l) => l.audiences.map((a) => [l.category.name, a]));
  const [cat, aud] = pairs.find(([c, a]) => {
    const inCat = lectures.filter((l) => l.category.name === c);
    return inCat.length > 1 && inCat.some((l) => !l.audiences.includes(a));
  });
  await page.click(`input[name=cat][value="${cat}"]`);
  const byCat = lectures.filter((l) => l.category.name === cat);
  assert.deepEqual(await visible(page), slugs(byCat));
  assert.deepEqual(query(page), { cat: [cat] });

  // The count beside an audience is how many cards choosing it would show.
  const want = byCat.filter((l) => l.audiences.includes(aud));
  const count = await page.textContent(`input[name=aud][value="${aud}"] ~ [data-count]`);
  assert.equal(Number(count), want.length);

  await page.click(".more-filters summary");
  await page.click(`input[name=aud][value="${aud}"]`);
  assert.ok(want.length > 0 && want.length < byCat.length, "the audience narrows the category");
  assert.deepEqual(await visible(page), slugs(want));
  assert.deepEqual(query(page), { cat: [cat], aud: [aud] });
  assert.match(await page.textContent("[data-filter-status]"), new RegExp(`找到${want.length}个宣讲`));

  // A shared link opens the same filtered menu.
  const shared = page.url();
  const other = await context.newPage();
  await other.goto(shared);
  assert.deepEqual(await visible(other), slugs(want));
  assert.equal(await other.isChecked(`input[name=aud][value="${aud}"]`), true);
  await other.close();

  // Back and forward walk the filter history.
  await page.goBack();
  assert.deepEqual(query(page), { cat: [cat] });
  assert.deepEqual(await visible(page), slugs(byCat));
  assert.equal(await page.isChecked(`input[name=aud][value="${aud}"]`), false);
  await page.goForward();
  assert.deepEqual(await visible(page), slugs(want));
  await page.goBack();
  await page.goBack();
  assert.deepEqual(await visible(page), slugs(lectures));

  assert.deepEqual(foreign, [], "no request leaves the site");
  assert.deepEqual(errors, []);
  await context.close();
});

test("duration band, region and lecturer honor combine; the text box matches titles and lecturer names", async () => {
  const { page, context, errors } = await open(env, DESKTOP);
  await page.goto(env.url + "lectures/?dur=short");
  assert.deepEqual(await visible(page), slugs(lectures.filter((l) => l.duration != null && l.duration <= 15)));

  // A lecture without regions can be given anywhere, so it matches any region.
  const region = lectures.flatMap((l) => l.regions.map((r) => r.name))[0];
  await page.goto(env.url + "lectures/?region=" + encodeURIComponent(region));
  assert.deepEqual(await visible(page), slugs(lectures.filter((l) => !l.regions.length || l.regions.some((r) => r.name === region))));

  const rank = (l) => Math.min(...l.lecturers.map((p) => p.honor_rank));
  await page.goto(env.url + "lectures/?honor=全国&honor=省");
  assert.deepEqual(await visible(page), slugs(lectures.filter((l) => rank(l) <= 1)));

  const name = lecturers.find((p) => p.lecture_count > 1).name;
  await page.goto(env.url + "lectures/");
  await page.fill("#f-q", name);
  await page.waitForFunction((n) => new URLSearchParams(location.search).get("q") === n, name);
  assert.deepEqual(await visible(page), slugs(lectures.filter((l) => l.title.includes(name) || l.lecturers.some((p) => p.name.includes(name)))));
  assert.deepEqual(errors, []);
  await context.close();
});

test("the lecturer directory filters by region, team and honor, best honor first", async () => {
  const { page, context } = await open(env, PHONE);
  await page.goto(env.url + "lecturers/");
  const order = await page.$$eval("[data-lecturer]", (els) => els.map((e) => e.dataset.lecturer));
  const sorted = [...lecturers].sort((a, b) => a.honor_rank - b.honor_rank || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  assert.deepEqual(order, sorted.map((p) => p.slug));
  const team = lecturers.find((p) => p.team).team;
  await page.goto(env.url + "lecturers/?team=" + encodeURIComponent(team) + "&honor=全国");
  assert.deepEqual(await visible(page, "[data-lecturer]"), slugs(lecturers.filter((p) => p.team === team && p.honor_rank === 0)));
  await context.close();
});

test("the 点单篮 keeps two lectures across a reload and sends them by every channel", async () => {
  const { page, context, foreign, errors } = await open(env, PHONE);
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: env.url });
  const [a, b] = lectures.filter((l) => l.available);
  await page.goto(env.url + "lectures/");
  await page.click(`[data-add="${a.slug}"]`);
  await page.click(`[data-add="${b.slug}"]`);
  assert.equal(await page.textContent("[data-basket-count]"), "2");
  await page.reload();
  assert.equal(await page.textContent("[data-basket-count]"), "2", "the basket survives a reload");
  assert.match(await page.textContent(`[data-add="${a.slug}"]`), /已加入/);

  // The count shows on every page, and nothing covers the first card on a phone.
  await page.goto(env.url + "news/");
  assert.equal(await page.textContent("[data-basket-count]"), "2");
  await page.goto(env.url + "lectures/");
  const fixed = await page.$$eval("body *", (els) => els.filter((e) => ["fixed", "sticky"].includes(getComputedStyle(e).position) && e.offsetParent !== null).length);
  assert.equal(fixed, 0, "no fixed or sticky bar over the content");

  await page.click("[data-basket-link]");
  // The basket page fills its list from localStorage once its script has run: wait for it.
  await page.waitForURL(/\/lectures\/basket\/$/);
  await page.waitForSelector("[data-basket-list] .basket-title");
  const titles = await page.$$eval("[data-basket-list] .basket-title", (els) => els.map((e) => e.textContent));
  assert.deepEqual(titles, [a.title, b.title]);

  const fields = JSON.parse(fs.readFileSync(path.join(env.out, "lectures.json"), "utf8")).booking.fields;
  const values = { 单位名称: "杭州市某某机械厂工会", 联系人: "王师傅", 电话: "13800000000", 期望日期: "9月15日上午", 地点: "二号车间", 听众人数: "60" };
  for (const f of fields) await page.fill(`[data-field="${f}"]`, values[f] || "是");

  const text = await page.inputValue("[data-order-text]");
  for (const s of [a.slug, b.slug, a.title, b.title]) assert.ok(text.includes(s), `order text has ${s}`);
  for (const f of fields) assert.ok(text.includes(`${f}：${values[f] || "是"}`), `order text has ${f}`);
  await page.click("[data-copy-order]");
  await page.waitForFunction(() => document.querySelector("[data-copy-note]").textContent.includes("已复制"));
  assert.equal(await page.evaluate(() => navigator.clipboard.readText()), text, "the copied text is the order");

  const form = new URL(await page.getAttribute("[data-form-link]", "href"));
  assert.equal(form.origin + form.pathname, "https://example.org/order");
  assert.equal(form.searchParams.get("lectures"), `${a.slug},${b.slug}`);
  for (const f of fields) assert.equal(form.searchParams.get(f), values[f] || "是");

  const mail = await page.getAttribute("[data-mail-link]", "href");
  assert.match(mail, /^mailto:xuanjiang@example\.org\?subject=/);
  assert.ok(decodeURIComponent(mail.split("&body=")[1]).includes(`${a.slug},${b.slug}`));
  assert.ok((await page.getAttribute(".send-list a[href^='tel:']", "href")).startsWith("tel:0571"));

  // The QR code of the form link is drawn in the browser, by the vendored library, on request.
  await page.click("[data-show-qr]");
  await page.waitForSelector("[data-qr-slot] svg");
  assert.ok(await page.$eval("[data-qr-slot] svg", (s) => s.querySelectorAll("path, rect").length > 0));

  // The entered fields are kept for the next order too.
  await page.reload();
  assert.equal(await page.inputValue(`[data-field="${fields[0]}"]`), values[fields[0]] || "是");
  await page.screenshot({ path: shot("basket-390x844.png"), fullPage: true });
  assert.deepEqual(foreign, []);
  assert.deepEqual(errors, []);
  await context.close();
});

test("an unavailable lecture cannot be ordered, and says why", async () => {
  const off = lectures.find((l) => !l.available);
  assert.ok(off, "the example has an unavailable lecture");
  const ok = lectures.find((l) => l.available);
  const { page, context } = await open(env, PHONE);
  await page.goto(env.url + "lectures/");
  const card = page.locator(`[data-lecture="${off.slug}"]`);
  assert.equal(await card.locator("[data-add]").count(), 0, "no 加入点单 on its card");
  assert.ok((await card.textContent()).includes(off.availability));
  await page.goto(env.url + `lectures/${off.slug}/`);
  assert.equal(await page.locator("[data-add]").count(), 0, "no 加入点单 on its page");

  // Even when it is in the basket (added before it became unavailable), it is refused.
  await page.evaluate(([k, v]) => localStorage.setItem(k, v), ["caidan-basket:/", JSON.stringify({ items: [off.slug, ok.slug], fields: {} })]);
  await page.goto(env.url + "lectures/basket/");
  const refused = await page.textContent("[data-basket-refused-list]");
  assert.ok(refused.includes(off.title) && refused.includes(off.availability), refused);
  const text = await page.inputValue("[data-order-text]");
  assert.ok(!text.includes(off.slug) && text.includes(ok.slug));
  const form = new URL(await page.getAttribute("[data-form-link]", "href"));
  assert.equal(form.searchParams.get("lectures"), ok.slug);
  await context.close();
});

test("长辈模式 enlarges the text and persists", async () => {
  const { page, context } = await open(env, PHONE);
  await page.goto(env.url);
  const size = () => page.evaluate(() => parseFloat(getComputedStyle(document.body).fontSize));
  const before = await size();
  await page.click("[data-elder]");
  assert.equal(await page.getAttribute("[data-elder]", "aria-pressed"), "true");
  await page.goto(env.url + "lectures/");
  assert.ok((await size()) >= before * 1.2, "larger text on the next page");
  await page.screenshot({ path: shot("elder-menu-390x844.png") });
  await page.click("[data-elder]");
  assert.equal(await size(), before);
  await context.close();
});

test("screenshots of the main pages at 390×844 and 1366×900", async () => {
  const lecture = lectures.find((l) => l.available && l.lecturers.length);
  const pages = {
    home: "",
    menu: "lectures/",
    "menu-filtered": "lectures/?cat=" + encodeURIComponent("安全生产"),
    lecturers: "lecturers/",
    lecturer: lecture.lecturers[0].url.slice(1),
    lecture: lecture.url.slice(1),
    matrix: "brands/zheneng/",
    print: "lectures/print/",
    search: "search/",
  };
  for (const [vp, tag] of [[PHONE, "390x844"], [DESKTOP, "1366x900"]]) {
    const { page, context } = await open(env, vp);
    for (const [name, rel] of Object.entries(pages)) {
      const res = await page.goto(env.url + rel);
      if (res.status() === 404) continue;
      await page.screenshot({ path: shot(`${name}-${tag}.png`) });
    }
    await page.goto(env.url + lecture.url.slice(1));
    await page.emulateMedia({ media: "print" });
    await page.screenshot({ path: shot(`lecture-poster-print-${tag}.png`), fullPage: true });
    await page.goto(env.url + "lectures/print/");
    await page.screenshot({ path: shot(`menu-print-${tag}.png`), fullPage: true });
    await page.goto(env.url + "brands/zheneng/");
    await page.screenshot({ path: shot(`matrix-print-${tag}.png`), fullPage: true });
    await context.close();
  }
});
