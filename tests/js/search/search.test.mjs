// End to end, in Node: builds the fixture site with caidan, runs queries through the real client
// against the built files, and checks every result set against a scan of the page texts.
import { test, before } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import path from 'node:path';
import { build, basePath, FIXTURE, openIndex, pages, grep, everything } from './helpers.mjs';
import { normalize, queryParts, queryTerms, termHash } from '../../../themes/default/static/search/search.js';

let out;
let index;
let all;
let base;

before(async () => {
  out = build(FIXTURE);
  base = basePath(FIXTURE);
  ({ index } = await openIndex(out, base));
  all = await pages(index);
});

const slugOf = (url) => url.replace(base, '/');

// Names, places, one and two characters, phrases, Latin and digits, full-width forms, several
// parts, text split by soft line breaks or invisible characters, and things that are not there.
const QUERIES = [
  '工会联合会', '工会 联合会', '联合会', '产改', '“产改”', '建设改革', '产业工人队伍建设改革', '会', '工', '匠',
  '孔胜东', '葛小青', '杭州', '萧山', '杭州市萧山区', '嘉兴市', '班前十分钟', '职工小家', '五星级职工小家',
  'plc', 'PLC', 'ＰＬＣ', 'vr', 'VR实训', '2022', '２０２２', '5g', '5G+工业互联网', 'abc', 'ＡＢＣ', 'app',
  '0571', '0571-00000000', 'xuanjiang@example.org', '𠮷野家', '𠮷', '行末换行', '软连字符', '劳模 工匠', '杭州 工匠 精神',
  '点主题', '（点主题）', '草稿独有词', '草稿', '不存在的词语', '焊花', '工匠精神', 'q', 'zz', '十分',
  '衢州市', '衢州市总工会', '杭州市总工会', '州市',
];

test('the client hashes terms to shards as the generator does', () => {
  // The same values as `hash_is_fnv1a_over_code_points_then_mixed` in src/index/shards.rs.
  assert.equal(termHash('a'), 0xe9167c8f);
  assert.equal(termHash('工会'), 0xde612969);
  assert.equal(termHash('𠮷野'), 0x00815f5c);
});

test('every query finds exactly the pages that contain it', async () => {
  for (const q of QUERIES) {
    const truth = grep(all, q).map((p) => p.url).sort();
    const { r, shown } = await everything(index, q);
    const got = shown.map((h) => h.url).sort();
    assert.deepEqual(got, truth, `query ${JSON.stringify(q)}`);
    assert.equal(r.total, truth.length, `count of ${JSON.stringify(q)} once all results are shown`);
  }
});

test('candidates never miss a page, and exact queries count exactly before any check', async () => {
  for (const q of QUERIES) {
    const truth = new Set(grep(all, q).map((p) => p.id));
    const r = await index.search(q);
    const cands = new Set(r.ranked);
    for (const id of truth) assert.ok(cands.has(id), `${JSON.stringify(q)} misses page ${id}`);
    if (r.exact) assert.equal(r.ranked.length, truth.size, `exact count of ${JSON.stringify(q)}`);
  }
});

test('soft line breaks, full-width forms and invisible characters do not hide a match', async () => {
  const find = async (q) => (await everything(index, q)).shown.map((h) => slugOf(h.url));
  assert.deepEqual(await find('工会联合会'), ['/news/lianhehui/']);
  assert.ok((await find('建设改革')).includes('/news/changai/'));
  assert.ok((await find('plc')).includes('/news/plc/'));
  assert.ok((await find('2022')).includes('/news/plc/'));
  assert.ok((await find('班前十分钟')).includes('/news/zifu/'));
  assert.ok((await find('软连字符')).includes('/news/zifu/'));
  assert.ok((await find('𠮷野家')).includes('/news/zifu/'));
  assert.ok((await find('行末换行')).includes('/news/zifu/'));
});

test('pages that have the words apart are not shown for the phrase', async () => {
  const phrase = (await everything(index, '工会联合会')).shown.map((h) => slugOf(h.url));
  assert.ok(!phrase.includes('/news/fenkai/'));
  const apart = (await everything(index, '工会 联合会')).shown.map((h) => slugOf(h.url));
  assert.ok(apart.includes('/news/fenkai/') && apart.includes('/news/lianhehui/'));
});

test('pages with every bigram of a phrase but not the phrase are not returned', async () => {
  // news/jiaocha has 衢州, 州市 (杭州市), 市总, 总工 and 工会, but not 衢州市总工会: only the
  // junction trigrams (州 and 市 are among the fixture's most frequent characters) tell.
  const junction = index.meta.junction;
  assert.ok(junction.includes('州') && junction.includes('市'), junction);
  const apart = all.find((p) => slugOf(p.url) === '/news/jiaocha/');
  for (const q of ['衢州市', '衢州市总工会', '衢州市总']) {
    const bigrams = queryTerms(queryParts(q)[0]).filter((t) => t.length === 2);
    assert.ok(bigrams.every((b) => apart.normText.includes(b)) && !apart.normText.includes(q), `fixture: ${q}`);
    const truth = grep(all, q).map((p) => p.id).sort((a, b) => a - b);
    assert.ok(truth.length >= 1, q);
    const r = await index.search(q);
    assert.deepEqual(Array.from(r.ranked).sort((a, b) => a - b), truth, `returned set of ${q}`);
  }
});

test('the returned set is precise over all test queries', async () => {
  let returned = 0;
  let right = 0;
  for (const q of QUERIES) {
    const truth = new Set(grep(all, q).map((p) => p.id));
    const r = await index.search(q);
    returned += r.ranked.length;
    right += r.ranked.filter((d) => truth.has(d)).length;
  }
  assert.ok(right / returned >= 0.98, `pooled precision ${right / returned}`);
});

test('drafts are not indexed', async () => {
  assert.equal((await everything(index, '草稿独有词')).shown.length, 0);
  assert.ok(!all.some((p) => p.url.includes('caogao')));
});

test('matches are highlighted in the page own characters', async () => {
  const [hit] = (await index.search('工会联合会').then((r) => r.page(0, 1)));
  assert.match(hit.excerptHtml, /<mark>工会联合会<\/mark>/);
  assert.match(hit.titleHtml, /<mark>工会联合会<\/mark>/);
  const [plc] = (await index.search('plc').then((r) => r.page(0, 1)));
  assert.match(plc.titleHtml, /<mark>ＰＬＣ<\/mark>/);
  const [esc] = (await index.search('xuanjiang@example.org').then((r) => r.page(0, 1)));
  assert.ok(!/<(?!\/?mark>)/.test(esc.excerptHtml), 'only <mark> tags in an excerpt');
  // The segments the search page builds its DOM from: the title's own text, in order, with
  // the match marked, and the excerpt's marked parts each containing the query.
  assert.equal(plc.titleMarks.map(([t]) => t).join(''), plc.title);
  assert.deepEqual(plc.titleMarks.filter(([, m]) => m).map(([t]) => t), ['ＰＬＣ']);
  const marks = hit.excerptMarks.filter(([, m]) => m).map(([t]) => t);
  assert.ok(marks.length > 0 && marks.every((t) => normalize(t).includes('工会联合会')), String(marks));
});

test('title matches rank first, then relevance, then the newest', async () => {
  const r = await index.search('工会');
  const shown = await r.page(0, 20);
  const inTitle = shown.map((h) => normalize(h.title).includes('工会'));
  assert.ok(inTitle[0]);
  assert.deepEqual(inTitle, [...inTitle].sort((a, b) => b - a), 'title matches first');
  for (let i = 1; i < r.ranked.length; i++) {
    const [a, b] = [r.ranked[i - 1], r.ranked[i]];
    const key = (d) => [-r.titleHits[d], -r.score[d], d];
    const [ka, kb] = [key(a), key(b)];
    assert.ok(ka[0] < kb[0] || (ka[0] === kb[0] && (ka[1] < kb[1] || (ka[1] === kb[1] && ka[2] < kb[2]))), `order at ${i}`);
  }
  // page numbers are newest first, so the last key is the date
  const dated = all.filter((p) => p.date);
  for (let i = 1; i < dated.length; i++) assert.ok(dated[i - 1].date >= dated[i].date);
  assert.ok(all.findIndex((p) => !p.date) > all.findLastIndex((p) => p.date), 'undated pages last');
});

test('facets count the results and filter with or without a query', async () => {
  const r = await index.search('班前十分钟', { facets: ['kind', 'region'] });
  const truth = grep(all, '班前十分钟');
  const kinds = Object.fromEntries(r.facets.kind.map((v) => [v.value, v.count]));
  for (const k of new Set(truth.map((p) => p.kind))) assert.equal(kinds[k], truth.filter((p) => p.kind === k).length, k);
  const news = await everything(index, '班前十分钟', { filters: { kind: ['news'] } });
  assert.deepEqual(news.shown.map((h) => h.url).sort(), truth.filter((p) => p.kind === 'news').map((p) => p.url).sort());
  // no query: every page of the region, newest first
  const region = await everything(index, '', { filters: { region: ['嘉兴市'] } });
  const slugs = region.shown.map((h) => slugOf(h.url));
  assert.ok(slugs.includes('/news/plc/') && slugs.includes('/news/zifu/'), slugs.join(' '));
  const dates = region.shown.map((h) => h.date).filter(Boolean);
  assert.deepEqual(dates, [...dates].sort().reverse());
  const lecturers = await everything(index, '', { filters: { kind: ['lecturer'] } });
  assert.deepEqual(lecturers.shown.map((h) => slugOf(h.url)).sort(), ['/lecturers/ge-xiaoqing/', '/lecturers/kong-shengdong/']);
});

test('the index is deterministic', () => {
  const again = build(FIXTURE);
  const list = (d) => fs.readdirSync(path.join(d, 'search'), { recursive: true }).filter((f) => fs.statSync(path.join(d, 'search', f)).isFile()).sort();
  assert.deepEqual(list(again), list(out));
  for (const f of list(out)) {
    assert.ok(fs.readFileSync(path.join(out, 'search', f)).equals(fs.readFileSync(path.join(again, 'search', f))), f);
  }
});

const ENTITIES = { nbsp: ' ', lt: '<', gt: '>', quot: '"', amp: '&', '#39': "'" };
const textOf = (html) => html.replace(/<[^>]*>/g, '').replace(/&(nbsp|lt|gt|quot|amp|#39);/g, (_, e) => ENTITIES[e]);

test('what a page shows in its body is in its record', (t) => {
  let checked = 0;
  for (const p of all) {
    const file = path.join(out, p.url.slice(base.length), 'index.html');
    if (!fs.existsSync(file)) continue;
    const html = fs.readFileSync(file, 'utf8');
    // The body ends where the theme's own furniture (tags, the order box) begins.
    const body = html.split('class="prose"')[1]?.split(/<\/article>|<\/main>|class="term-links|class="order-box|class="lecture-aside/)[0] || '';
    for (const [, , inner] of body.matchAll(/<(p|li|h[2-6]|td|th)\b[^>]*>([\s\S]*?)<\/\1>/g)) {
      const block = normalize(textOf(inner));
      if (block.length < 4 || /<(p|li|ul|ol)\b/.test(inner)) continue;
      assert.ok(p.normText.includes(block) || p.normTitle.includes(block), `${p.url}: ${block}`);
    }
    assert.ok(normalize(textOf(html)).includes(p.normTitle), `title of ${p.url}`);
    checked++;
  }
  if (!checked) t.skip('the build wrote no entry pages');
});
