// The records' dictionary, end to end: a site large enough to get one (1,000 news that repeat
// the union's phrases around sentences of their own), read back through the real client with
// the browser's DecompressionStream and with the inflate.js fallback.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { build, FIXTURE, openIndex, pages, grep, everything } from './helpers.mjs';

const N = 1000;
const SHARED = '浙江省总工会劳模工匠宣讲团走进企业车间，为一线职工讲述产业工人队伍建设改革的故事。';
// A sentence of each page's own: characters picked by the page number.
const own = (i) => Array.from({ length: 60 }, (_, j) => String.fromCodePoint(0x4e00 + ((i * 131 + j * 17) % 3000))).join('');

let site;
let out;
let index;
let all;

before(async () => {
  site = fs.mkdtempSync(path.join(os.tmpdir(), 'caidan-dictionary-'));
  fs.cpSync(FIXTURE, site, { recursive: true });
  for (let i = 0; i < N; i++) {
    const day = String(1 + (i % 28)).padStart(2, '0');
    fs.writeFileSync(path.join(site, 'content', 'news', `n${i}.md`),
      `---\ntitle: 第${i}号通讯\ndate: 2021-03-${day}\n---\n\n${SHARED}${own(i)}。编号${i}号结束。\n\n${SHARED}\n`);
  }
  out = build(site);
  ({ index } = await openIndex(out, '/gonghui/'));
  all = await pages(index);
});

test('a larger site gets a dictionary, and every record reads back through it', async () => {
  const code = await index.recordCode();
  assert.ok(code.prefix.length > 1024, `a dictionary of ${code.prefix.length - 5} bytes`);
  const news = all.filter((p) => /\/news\/n\d+\/$/.test(p.url));
  assert.equal(news.length, N);
  for (const p of news) {
    const i = Number(/\/n(\d+)\/$/.exec(p.url)[1]);
    assert.equal(p.title, `第${i}号通讯`);
    assert.ok(p.text.startsWith(`${SHARED}${own(i)}。编号${i}号结束。`), p.url);
    assert.ok(p.text.endsWith(SHARED), p.url);
  }
  // The shared phrase costs each record a few bytes: much less than its own 60 characters.
  const packs = fs.readdirSync(path.join(out, 'search', 'd')).reduce((n, f) => n + fs.statSync(path.join(out, 'search', 'd', f)).size, 0);
  assert.ok(packs / all.length < 200, `${Math.round(packs / all.length)} bytes a record`);
});

test('queries over the dictionary-coded records find exactly what a scan finds', async () => {
  for (const q of ['编号7号', '编号123号结束', '宣讲团', '工匠 故事', own(42).slice(5, 12), '第599号通讯']) {
    const truth = grep(all, q).map((p) => p.url).sort();
    const { shown } = await everything(index, q);
    assert.deepEqual(shown.map((h) => h.url).sort(), truth, q);
    assert.ok(truth.length > 0, q);
  }
});

test('inflate.js reads the same records as DecompressionStream', async () => {
  const saved = globalThis.DecompressionStream;
  try {
    globalThis.DecompressionStream = undefined;
    const { index: fallback } = await openIndex(out, '/gonghui/');
    for (const id of [0, 1, 250, index.n - 1]) {
      const a = all[id];
      const b = await fallback.record(id);
      assert.deepEqual([b.url, b.title, b.text], [a.url, a.title, a.text]);
    }
    const { shown } = await everything(fallback, '编号42号');
    assert.equal(shown.length, 1);
  } finally {
    globalThis.DecompressionStream = saved;
  }
});
