// The search page in headless Chromium: type, see results, click a facet, use the keyboard,
// and check accessibility with axe-core. Builds the fixture site (served under its sub-path).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import { chromium } from 'playwright-core';
import { build, basePath, FIXTURE } from './helpers.mjs';
import { serve } from './server.mjs';

const require = createRequire(import.meta.url);
const CHROMIUM = process.env.CHROMIUM || '/usr/bin/chromium';
const ARGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync'];

let server;
let browser;
let base;

before(async () => {
  const out = build(FIXTURE);
  base = basePath(FIXTURE);
  server = await serve(out, { prefix: base });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ARGS });
});

after(async () => {
  await browser?.close();
  await server?.close();
});

async function openPage(query = '') {
  const page = await browser.newPage();
  const errors = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('response', (r) => { if (r.status() >= 400 && !r.url().endsWith('/favicon.ico')) errors.push(`${r.status()} ${r.url()}`); });
  await page.goto(`${server.url}${base}search/${query}`);
  await settled(page);
  return { page, errors };
}

// Waits until the page has answered (no search running, a message shown).
async function settled(page) {
  await page.waitForFunction(() => {
    const root = document.getElementById('search');
    const status = document.getElementById('search-status').textContent;
    return !root.hasAttribute('aria-busy') && status && !/正在/.test(status);
  }, null, { timeout: 10000 });
}

const hrefs = (page) => page.$$eval('#search-results a', (as) => as.map((a) => new URL(a.href).pathname));

test('a query from the URL shows counted, highlighted results', async () => {
  const { page, errors } = await openPage(`?q=${encodeURIComponent('工会联合会')}`);
  assert.equal(await page.inputValue('#search-q'), '工会联合会');
  assert.match(await page.textContent('#search-status'), /找到 1 条包含“工会联合会”的结果/);
  assert.deepEqual(await hrefs(page), [`${base}news/lianhehui/`]);
  assert.equal(await page.textContent('#search-results .search-kind'), '新闻');
  assert.equal(await page.textContent('#search-results mark'), '工会联合会');
  assert.match(await page.textContent('#search-results time'), /2023年5月12日/);
  assert.deepEqual(errors, []);
  await page.close();
});

test('typing a new query and pressing Enter searches again', async () => {
  const { page, errors } = await openPage();
  assert.match(await page.textContent('#search-status'), /输入关键词/);
  await page.fill('#search-q', '孔胜东');
  await page.press('#search-q', 'Enter');
  await page.waitForURL(/q=/);
  await settled(page);
  assert.match(await page.textContent('#search-status'), /找到 \d+ 条包含“孔胜东”的结果/);
  assert.ok((await hrefs(page)).includes(`${base}lecturers/kong-shengdong/`));
  assert.equal(new URL(page.url()).searchParams.get('q'), '孔胜东');
  assert.deepEqual(errors, []);
  await page.close();
});

test('clicking a facet filters the results and keeps the filter in the URL', async () => {
  const { page } = await openPage(`?q=${encodeURIComponent('班前十分钟')}`);
  const before = await hrefs(page);
  assert.ok(before.length >= 2, before.join(' '));
  await page.click('label:has-text("宣讲")>>nth=0');
  await settled(page);
  assert.equal(new URL(page.url()).searchParams.get('kind'), 'lecture');
  const after = await hrefs(page);
  assert.ok(after.length >= 1 && after.every((h) => h.includes('/lectures/')), after.join(' '));
  assert.ok(await page.isChecked('input[data-field=kind][value=lecture]'));
  // the keyboard: Space on the focused checkbox takes the filter off again
  await page.focus('input[data-field=kind][value=lecture]');
  await page.keyboard.press('Space');
  await settled(page);
  assert.equal(new URL(page.url()).searchParams.get('kind'), null);
  assert.deepEqual((await hrefs(page)).sort(), before.sort());
  await page.close();
});

test('facets work without a query', async () => {
  const { page } = await openPage();
  await page.click('summary:has-text("地区")');
  await page.waitForSelector('input[data-field=region][value="嘉兴市"]');
  await page.check('input[data-field=region][value="嘉兴市"]');
  await settled(page);
  assert.match(await page.textContent('#search-status'), /共 2 条符合筛选条件的内容/);
  const got = await hrefs(page);
  assert.ok(got.includes(`${base}news/plc/`) && got.includes(`${base}news/zifu/`), got.join(' '));
  await page.close();
});

test('nothing found says so in Chinese', async () => {
  const { page } = await openPage(`?q=${encodeURIComponent('草稿独有词')}`);
  assert.equal(await page.textContent('#search-status'), '没有找到包含“草稿独有词”的内容。');
  assert.equal(await page.$$eval('#search-results li', (l) => l.length), 0);
  await page.close();
});

test('the page passes axe-core', async () => {
  const { page } = await openPage(`?q=${encodeURIComponent('工会')}`);
  await page.addScriptTag({ content: fs.readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8') });
  const result = await page.evaluate(async () => window.axe.run(document, { resultTypes: ['violations'] }));
  const serious = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  assert.deepEqual(serious.map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`), []);
  const live = await page.getAttribute('#search-status', 'aria-live');
  assert.equal(live, 'polite');
  await page.close();
});
