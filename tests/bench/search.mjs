#!/usr/bin/env node
// Search benchmark: caidan's search and Pagefind (extended) on the same built site.
//
//   node tests/bench/search.mjs --site DIR --out DIR [--pagefind BIN] [--queries N] [--json FILE]
//
// DIR is a built site (caidan's output with search/). Measures, per tool, over a query set made
// from the site's own pages (names, places, 1- and 2-character words, phrases of up to 10
// characters, Latin and digits, several parts): recall and precision against an exact scan of
// the page texts (what Ctrl-F finds), transfer of the first query in headless Chromium with a
// fresh cache (bytes on the wire, as served with gzip for text types), warm query compute, and
// the index size on disk. tests/bench/search.sh generates the corpus, builds and calls this.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { chromium } from '../js/node_modules/playwright-core/index.mjs';
import { serve } from '../js/search/server.mjs';
import { openIndex, pages as allPages, grep } from '../js/search/helpers.mjs';
import { queryParts } from '../../themes/default/static/search/search.js';

const args = Object.fromEntries(process.argv.slice(2).reduce((a, x, i, all) => (x.startsWith('--') ? [...a, [x.slice(2), all[i + 1]]] : a), []));
const SITE = args.site;
const OUT = args.out;
const BASE = args.base || '/';
const PAGEFIND = args.pagefind;
const N_RANDOM = Number(args.queries || 60);
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];
if (!SITE || !OUT) {
  console.error('usage: search.mjs --site SITE --out BUILT [--base /sub/] [--pagefind BIN] [--queries N] [--json FILE]');
  process.exit(2);
}

// ---- helpers ---------------------------------------------------------------------------------
const quantile = (xs, q) => { const s = [...xs].sort((a, b) => a - b); return s.length ? s[Math.min(s.length - 1, Math.floor(q * s.length))] : NaN; };
const median = (xs) => quantile(xs, 0.5);
function dirStats(dir) {
  let files = 0; let bytes = 0;
  for (const f of fs.readdirSync(dir, { recursive: true })) {
    const st = fs.statSync(path.join(dir, f));
    if (st.isFile()) { files++; bytes += st.size; }
  }
  return { files, bytes };
}
// splitmix-style PRNG so the query set is the same every run
let seed = 0x9e3779b9;
const rand = (n) => { seed = (seed + 0x6d2b79f5) | 0; let t = Math.imul(seed ^ (seed >>> 15), 1 | seed); t ^= t + Math.imul(t ^ (t >>> 7), 61 | t); return ((t ^ (t >>> 14)) >>> 0) % n; };

// ---- the pages and the query set --------------------------------------------------------------
console.error('reading the index records …');
const { index } = await openIndex(OUT, BASE);
const pages = await allPages(index);
const byUrl = new Map(pages.map((p) => [p.url, p]));

const FIXED = [
  // one and two characters, common and rare
  '会', '工', '匠', '萧', '衢', '鑫', '焊', '疗', '产改', '工匠', '劳模', '职工', '班组', '技能', '萧山', '衢州', '宁波',
  // names and places
  '潘鑫', '胡狄明', '葛小青', '姚益芬', '沙新民', '杭州市萧山区', '嘉兴市海宁市', '金华经济开发区', '浙江兆丰机电',
  // phrases up to 10 characters
  '班前十分钟', '工会联合会', '守好红色根脉', '产业工人队伍建设改革', '职工之家', '五星级职工小家', '枫桥经验', '劳动争议调处合力',
  // Latin and digits
  'PLC', 'VR', '2022', 'APP', 'PPT', '0571', 'example', '125检查', '30余名',
  // several parts, punctuation
  '劳模 工匠', '杭州 班前十分钟', '工会 联合会', '萧山 产改', '职工 疗休养 杭州', '“产改”', '1+1',
];
const queries = [...FIXED];
for (const p of pages.filter((x) => x.kind === 'lecturer').slice(0, 5)) queries.push(p.title);
// random substrings of the page texts, 1 to 10 characters, without spaces
const han = /^[\u4e00-\u9fff]+$/;
while (queries.length < FIXED.length + 5 + N_RANDOM) {
  const p = pages[rand(pages.length)];
  const chars = Array.from(p.text);
  const len = 1 + rand(10);
  const at = rand(Math.max(1, chars.length - len));
  const q = chars.slice(at, at + len).join('');
  if (q.length && !/\s/.test(q) && (han.test(q) || rand(4) === 0) && !queries.includes(q)) queries.push(q);
}
console.error(`${queries.length} queries`);

// ---- recall and precision of caidan ------------------------------------------------------------
function judge(returnedUrls, truthUrls) {
  const truth = new Set(truthUrls);
  let right = 0;
  for (const u of returnedUrls) if (truth.has(u)) right++;
  return { recall: truth.size ? right / truth.size : 1, precision: returnedUrls.length ? right / returnedUrls.length : 1, right, returned: returnedUrls.length, truth: truth.size };
}

const urlOfId = pages.map((p) => p.url);
const caidan = { perQuery: [] };
for (const q of queries) {
  const truth = grep(pages, q).map((p) => p.url);
  const r = await index.search(q);
  const shown = await r.page(0, 10);
  const j = judge(Array.from(r.ranked, (d) => urlOfId[d]), truth);
  const parts = queryParts(q);
  const shownRight = shown.filter((h) => { const p = byUrl.get(h.url); return parts.every((x) => p.normTitle.includes(x) || p.normText.includes(x)); }).length;
  caidan.perQuery.push({ q, ...j, shown: shown.length, shownRight });
}

// ---- Chromium: transfer of the first query and warm compute -----------------------------------
const server = await serve(OUT, { prefix: BASE });
const browser = await chromium.launch({ executablePath: process.env.CHROMIUM || '/usr/bin/chromium', args: ARGS });
const EXCLUDE = /\.(css|png|svg|ico|woff2?)$|\/caidan\.js$|\/vendor\//;

// Loads `url` in a fresh context (empty cache) until `done()`; counts what the server sent for
// the search (wire bytes: status line, headers, body), leaving out the page itself, style
// sheets, images and the site-wide script, which the reader has before searching.
async function measure(url, done, evaluate) {
  const context = await browser.newContext();
  const page = await context.newPage();
  const from = server.log.length;
  const t0 = performance.now();
  await page.goto(url);
  await page.waitForFunction(done, null, { timeout: 60000 });
  const ms = performance.now() - t0;
  const extra = evaluate ? await page.evaluate(evaluate) : null;
  await context.close();
  let bytes = 0; let requests = 0; let body = 0;
  for (const [p, , b, wire] of server.log.slice(from)) {
    if (p.endsWith('/') || p.endsWith('.html') || EXCLUDE.test(p)) continue;
    bytes += wire;
    body += b;
    requests++;
  }
  return { bytes, body, requests, ms, extra };
}

const caidanDone = () => !document.getElementById('search').hasAttribute('aria-busy') && /找到|没有|共/.test(document.getElementById('search-status').textContent);
console.error('caidan in Chromium …');
for (const row of caidan.perQuery) {
  const m = await measure(`${server.url}${BASE}search/?q=${encodeURIComponent(row.q)}`, caidanDone);
  Object.assign(row, { bytes: m.bytes, body: m.body, requests: m.requests, ms: m.ms });
}
// warm compute: everything in memory after a first run of the same query
{
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}${BASE}search/`);
  const times = await page.evaluate(async ({ base, qs }) => {
    const m = await import(`${base}search/search.js`);
    const ix = await m.open(base);
    const out = [];
    for (const q of qs) {
      await (await ix.search(q, { facets: ['kind', 'category'] })).page(0, 10);
      const t = performance.now();
      await (await ix.search(q, { facets: ['kind', 'category'] })).page(0, 10);
      out.push(performance.now() - t);
    }
    return out;
  }, { base: BASE, qs: queries });
  caidan.perQuery.forEach((row, i) => { row.warmMs = times[i]; });
  await context.close();
}

// ---- Pagefind ----------------------------------------------------------------------------------
let pagefind = null;
if (PAGEFIND) {
  const pfOut = path.join(OUT, 'pagefind');
  fs.rmSync(pfOut, { recursive: true, force: true });
  console.error('Pagefind: indexing …');
  const t0 = performance.now();
  execFileSync(PAGEFIND, ['--site', OUT, '--root-selector', 'main', '--glob', '{news,lectures,lecturers,brands,about}/**/*.html'], { stdio: ['ignore', 'ignore', 'pipe'], maxBuffer: 1 << 26 });
  const buildMs = performance.now() - t0;
  pagefind = { perQuery: [], buildMs, disk: dirStats(pfOut) };
  const harness = `<!DOCTYPE html><meta charset="utf-8"><title>pagefind</title><script type="module">
const q = new URLSearchParams(location.search).get('q');
const pf = await import('${BASE}pagefind/pagefind.js');
await pf.init();
const r = await pf.search(q);
const top = await Promise.all(r.results.slice(0, 10).map((x) => x.data()));
window.done = { count: r.results.length, top: top.map((d) => d.url) };
</script>`;
  fs.writeFileSync(path.join(OUT, 'pagefind-bench.html'), harness);
  console.error('Pagefind in Chromium …');
  for (const q of queries) {
    const m = await measure(`${server.url}${BASE}pagefind-bench.html?q=${encodeURIComponent(q)}`, () => window.done, () => window.done);
    pagefind.perQuery.push({ q, bytes: m.bytes, body: m.body, requests: m.requests, ms: m.ms, count: m.extra.count, top: m.extra.top });
  }
  // recall and precision: every result's URL for up to 1,500 results, a sample beyond
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(`${server.url}${BASE}pagefind-bench.html?q=${encodeURIComponent('会')}`);
  await page.waitForFunction(() => window.done, null, { timeout: 60000 });
  for (const row of pagefind.perQuery) {
    const truth = grep(pages, row.q).map((p) => p.url);
    const { urls, sampled, times } = await page.evaluate(async (q) => {
      const pf = await import(new URL('pagefind/pagefind.js', document.baseURI).href);
      await pf.search(q);
      const t = performance.now();
      const r = await pf.search(q);
      await Promise.all(r.results.slice(0, 10).map((x) => x.data()));
      const warm = performance.now() - t;
      let pick = r.results;
      let sampled = false;
      if (pick.length > 1500) { sampled = true; const step = pick.length / 500; pick = Array.from({ length: 500 }, (_, i) => r.results[Math.floor(i * step)]); }
      const out = [];
      for (let i = 0; i < pick.length; i += 50) out.push(...(await Promise.all(pick.slice(i, i + 50).map((x) => x.data()))).map((d) => d.url));
      return { urls: out, sampled, times: warm };
    }, row.q);
    const truthSet = new Set(truth);
    const right = urls.filter((u) => truthSet.has(u)).length;
    const precision = urls.length ? right / urls.length : 1;
    const recall = truth.length ? (sampled ? Math.min(1, (precision * row.count) / truth.length) : right / truth.length) : 1;
    const parts = queryParts(row.q);
    const shownRight = row.top.filter((u) => { const p = byUrl.get(u); return p && parts.every((x) => p.normTitle.includes(x) || p.normText.includes(x)); }).length;
    Object.assign(row, { truth: truth.length, returned: row.count, recall, precision, sampled, shown: row.top.length, shownRight, warmMs: times });
  }
  await context.close();
}
await browser.close();
await server.close();

// ---- report -------------------------------------------------------------------------------------
function summary(name, rows, disk) {
  const sum = (f) => rows.reduce((a, r) => a + f(r), 0);
  const macro = (f) => sum(f) / rows.length;
  const s = {
    tool: name,
    queries: rows.length,
    recall_min: Math.min(...rows.map((r) => r.recall)),
    recall_mean: macro((r) => r.recall),
    queries_with_full_recall: rows.filter((r) => r.recall >= 0.99999).length,
    precision_mean: macro((r) => r.precision),
    precision_pooled: sum((r) => r.precision * r.returned) / Math.max(1, sum((r) => r.returned)),
    shown_precision: sum((r) => r.shownRight) / Math.max(1, sum((r) => r.shown)),
    first_query_kb_median: median(rows.map((r) => r.bytes)) / 1024,
    first_query_kb_p95: quantile(rows.map((r) => r.bytes), 0.95) / 1024,
    first_query_requests_median: median(rows.map((r) => r.requests)),
    first_query_ms_median: median(rows.map((r) => r.ms)),
    warm_ms_median: median(rows.map((r) => r.warmMs)),
    warm_ms_p95: quantile(rows.map((r) => r.warmMs), 0.95),
    disk_files: disk.files,
    disk_mb: disk.bytes / 1e6,
    disk_kb_per_page: disk.bytes / 1024 / pages.length,
  };
  return s;
}
const caidanDisk = dirStats(path.join(OUT, 'search'));
for (const f of ['search.js', 'page.js', 'search.css', 'inflate.js', 'index.html']) {
  const p = path.join(OUT, 'search', f);
  if (fs.existsSync(p)) { caidanDisk.files--; caidanDisk.bytes -= fs.statSync(p).size; }
}
const report = { pages: pages.length, news: pages.filter((p) => p.kind === 'news').length, caidan: summary('caidan', caidan.perQuery, caidanDisk) };
if (pagefind) report.pagefind = { ...summary('pagefind', pagefind.perQuery, pagefind.disk), build_s: pagefind.buildMs / 1000 };
report.caidan.disk_kb_per_news = caidanDisk.bytes / 1024 / report.news;
// the measure: all search bytes over the 10,000 articles the corpus was asked for
report.caidan.disk_kb_per_10k_articles = caidanDisk.bytes / 1024 / 10000;
if (pagefind) {
  report.pagefind.disk_kb_per_news = pagefind.disk.bytes / 1024 / report.news;
  report.pagefind.disk_kb_per_10k_articles = pagefind.disk.bytes / 1024 / 10000;
}

// precision_*: of the returned set (every candidate the client counts); shown_precision: of the
// top 10 displayed.
const cols = ['recall_min', 'recall_mean', 'queries_with_full_recall', 'precision_mean', 'precision_pooled', 'shown_precision', 'first_query_kb_median', 'first_query_kb_p95', 'first_query_requests_median', 'first_query_ms_median', 'warm_ms_median', 'warm_ms_p95', 'disk_files', 'disk_mb', 'disk_kb_per_page', 'disk_kb_per_news', 'disk_kb_per_10k_articles'];
const tools = [report.caidan, report.pagefind].filter(Boolean);
const fmt = (v) => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toFixed(3)) : String(v));
console.log(`\n${report.pages} pages (${report.news} news), ${queries.length} queries\n`);
console.log(`| measure | ${tools.map((t) => t.tool).join(' | ')} |`);
console.log(`|---|${tools.map(() => '---:').join('|')}|`);
for (const c of cols) console.log(`| ${c} | ${tools.map((t) => fmt(t[c])).join(' | ')} |`);
const worst = (rows) => rows.filter((r) => r.recall < 0.99999 || r.precision < 0.98).slice(0, 15).map((r) => `${r.q}: recall ${r.recall.toFixed(3)} precision ${r.precision.toFixed(3)} (${r.returned} returned, ${r.truth} right)`);
console.log('\ncaidan queries below recall 1 or precision 0.98:\n  ' + (worst(caidan.perQuery).join('\n  ') || 'none'));
if (pagefind) console.log('pagefind queries below recall 1 or precision 0.98 (first 15):\n  ' + (worst(pagefind.perQuery).join('\n  ') || 'none'));
if (args.json) fs.writeFileSync(args.json, JSON.stringify({ report, caidan: caidan.perQuery, pagefind: pagefind?.perQuery }, null, 1));
