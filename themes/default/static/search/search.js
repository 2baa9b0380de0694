// caidan search client: finds exactly the pages whose text contains the query, as Ctrl-F would.
// An ES module with no dependencies, for browsers and Node 18+. It reads the files that
// src/index/ writes under search/ (see src/index/mod.rs for the format) through a loader:
// httpLoader(base) in the browser, anything with get(path) and range(path, start, end) in tests.
//
//   import { open } from './search.js';
//   const index = await open('/gonghui/');
//   const r = await index.search('工会 联合会', { filters: { kind: ['news'] } });
//   r.total; await r.page(0);   // → [{ url, title, kind, date, titleMarks, excerptMarks, … }]
//   (…Marks: [text, highlighted] segments; titleHtml and excerptHtml are the same as escaped HTML)
//
// A page matches when its normalised title or text contains every space-separated part of the
// query. The index narrows the pages down to candidates; a candidate's record is checked
// against the query before it is shown, so what is shown always contains the query.

export const KIND_LABELS = { news: '新闻', lecture: '宣讲', lecturer: '宣讲人', brand: '品牌', page: '页面' };
const SEP = '\u001f';

// ---- normalisation: the same rules as src/index/normalize.rs -----------------------------

export function isHan(cp) {
  return (cp >= 0x2e80 && cp <= 0x2eff) || (cp >= 0x2f00 && cp <= 0x2fdf) || cp === 0x3005 || cp === 0x3007 ||
    (cp >= 0x3021 && cp <= 0x3029) || (cp >= 0x3038 && cp <= 0x303b) || (cp >= 0x3400 && cp <= 0x4dbf) ||
    (cp >= 0x4e00 && cp <= 0x9fff) || (cp >= 0xf900 && cp <= 0xfaff) || (cp >= 0x20000 && cp <= 0x323af);
}

const isIgnorable = (cp) => cp === 0xad || (cp >= 0x200b && cp <= 0x200d) || cp === 0x2060 || cp === 0xfeff;

// Rust's char::is_whitespace (the White_Space property).
const isSpace = (cp) => (cp >= 9 && cp <= 13) || cp === 32 || cp === 0x85 || cp === 0xa0 || cp === 0x1680 ||
  (cp >= 0x2000 && cp <= 0x200a) || cp === 0x2028 || cp === 0x2029 || cp === 0x202f || cp === 0x205f || cp === 0x3000;

const SPLIT = /[\t-\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]+/;

// Whitespace collapsed to one space, none between two Han characters, invisible ones dropped.
function collapse(s, map) {
  let out = '';
  const outMap = map ? [] : null;
  let last = 0;
  let space = -1;
  for (let i = 0; i < s.length;) {
    const cp = s.codePointAt(i);
    const n = cp > 0xffff ? 2 : 1;
    if (isIgnorable(cp)) { i += n; continue; }
    if (isSpace(cp)) { if (last) space = i; i += n; continue; }
    if (space >= 0 && !(isHan(last) && isHan(cp))) { out += ' '; if (map) outMap.push(map[space]); }
    space = -1;
    out += s.slice(i, i + n);
    if (map) { outMap.push(map[i]); if (n === 2) outMap.push(map[i + 1]); }
    last = cp;
    i += n;
  }
  return map ? { text: out, map: outMap } : out;
}

export function normalize(s) {
  return collapse(s.normalize('NFKC').toLowerCase(), null);
}

const MARK = /\p{M}/u;

// The normalised form of a display text, with, for each UTF-16 unit of it, the index in `s`
// of the character it came from. Characters are folded with their combining marks.
export function normalizeMapped(s) {
  let folded = '';
  const map = [];
  for (let i = 0; i < s.length;) {
    let j = i + (s.codePointAt(i) > 0xffff ? 2 : 1);
    while (j < s.length && MARK.test(String.fromCodePoint(s.codePointAt(j)))) j += s.codePointAt(j) > 0xffff ? 2 : 1;
    const cp = s.charCodeAt(i);
    const f = j === i + 1 && (cp < 0x80 || (cp >= 0x4e00 && cp <= 0x9fff)) ? s[i].toLowerCase()
      : s.slice(i, j).normalize('NFKC').toLowerCase();
    folded += f;
    for (let k = 0; k < f.length; k++) map.push(i);
    i = j;
  }
  return collapse(folded, map);
}

// ---- tokenizer: the same rules as src/index/tokenize.rs -----------------------------------

export function queryParts(query) {
  const parts = [];
  for (const raw of String(query).split(SPLIT)) {
    if (!raw) continue;
    for (const p of normalize(raw).split(' ')) if (p && !parts.includes(p)) parts.push(p);
  }
  return parts;
}

// The terms every page containing `part` must contain: its character, or its bigrams; then
// the trigrams around junction characters (meta.json's `junction`: the site's most frequent
// characters), which only filter out pages that have the bigrams apart.
export function queryTerms(part, junction = '') {
  const cs = Array.from(part).filter((c) => c !== ' ');
  if (cs.length === 1) return cs;
  const out = [];
  for (let i = 1; i < cs.length; i++) out.push(cs[i - 1] + cs[i]);
  for (let i = 2; i < cs.length; i++) if (junction.includes(cs[i - 1])) out.push(cs[i - 2] + cs[i - 1] + cs[i]);
  return [...new Set(out)];
}

// A trigram term: a filter, with no weight and no title flag.
const isTrigram = (t) => Array.from(t).length === 3;

// The shard hash of a term, as the generator computes it (`hash` in src/index/shards.rs):
// FNV-1a over code points, then a final mix.
export function termHash(s) {
  let h = 0x811c9dc5;
  for (const ch of s) h = Math.imul(h ^ ch.codePointAt(0), 0x01000193);
  h ^= h >>> 16;
  h = Math.imul(h, 0x7feb352d);
  h ^= h >>> 15;
  return h >>> 0;
}

// ---- loading ---------------------------------------------------------------------------------

// Fetches `base + path`; record packs are read with HTTP range requests. A server that ignores
// Range sends the whole pack: it is kept, so each pack is then fetched once at most.
export function httpLoader(base, fetchFn = globalThis.fetch.bind(globalThis)) {
  const whole = new Map();
  const get = async (path, init) => {
    const r = await fetchFn(base + path, init);
    if (!r.ok) throw new Error(`${base + path}: HTTP ${r.status}`);
    return r;
  };
  return {
    async get(path) { return new Uint8Array(await (await get(path)).arrayBuffer()); },
    async range(path, start, end) {
      if (whole.has(path)) return (await whole.get(path)).subarray(start, end);
      const r = await get(path, { headers: { Range: `bytes=${start}-${end - 1}` } });
      if (r.status === 206) return new Uint8Array(await r.arrayBuffer());
      const all = r.arrayBuffer().then((b) => new Uint8Array(b));
      whole.set(path, all);
      return (await all).subarray(start, end);
    },
  };
}

// zlib `bytes`, or with `raw` a raw deflate stream. Browsers without DecompressionStream, or
// without its 'deflate-raw' format (Chromium before 103), get inflate.js.
export async function inflate(bytes, raw = false) {
  let stream = null;
  try {
    stream = new DecompressionStream(raw ? 'deflate-raw' : 'deflate');
  } catch {
    return (await import('./inflate.js')).inflate(bytes, raw);
  }
  return new Uint8Array(await new Response(new Blob([bytes]).stream().pipeThrough(stream)).arrayBuffer());
}

// A record: raw deflate that follows the dictionary. The dictionary goes in front as a stored
// block (`code.prefix`: its 5-byte header and the dictionary), and is dropped from the output.
async function inflateRecord(bytes, code) {
  const stream = new Uint8Array(code.prefix.length + bytes.length);
  stream.set(code.prefix);
  stream.set(bytes, code.prefix.length);
  return (await inflate(stream, true)).subarray(code.prefix.length - 5);
}

class Reader {
  constructor(bytes, pos = 0) { this.b = bytes; this.pos = pos; }
  varint() {
    let v = 0;
    let mul = 1;
    for (;;) {
      const byte = this.b[this.pos++];
      v += (byte & 0x7f) * mul;
      if (byte < 0x80) return v;
      mul *= 128;
    }
  }
  text(len) {
    const s = new TextDecoder().decode(this.b.subarray(this.pos, this.pos + len));
    this.pos += len;
    return s;
  }
}

// ---- the index ---------------------------------------------------------------------------------

export async function open(base, options = {}) {
  const loader = options.loader || httpLoader(base, options.fetch);
  const meta = JSON.parse(new TextDecoder().decode(await loader.get('search/meta.json')));
  if (meta.version !== 4) throw new Error(`search index version ${meta.version} is not supported`);
  return new Index(loader, meta);
}

const EMPTY = { docs: new Uint32Array(0), imp: null, title: new Uint32Array(0) };

class Index {
  constructor(loader, meta) {
    this.loader = loader;
    this.meta = meta;
    this.n = meta.docs;
    this.shards = new Map();
    this.facetFiles = new Map();
    this.headers = new Map();
    this.records = new Map();
    this.code = null;
  }

  once(map, key, make) {
    if (!map.has(key)) {
      const p = make();
      map.set(key, p);
      p.catch(() => map.delete(key));
    }
    return map.get(key);
  }

  // Postings of a term: { docs, imp, title } (title: docids whose title has the term).
  async postings(term) {
    const id = termHash(term) & (this.meta.shards - 1);
    const shard = await this.once(this.shards, id, async () =>
      parseShard(await inflate(await this.loader.get(`search/t/${id.toString(16)}.bin`))));
    return shard.get(term) || EMPTY;
  }

  async facet(name) {
    const field = this.meta.facets.find((f) => f.name === name);
    if (!field) return null;
    return this.once(this.facetFiles, name, async () => {
      const r = new Reader(await inflate(await this.loader.get(`search/${field.file}`)));
      const n = r.varint();
      const values = [];
      for (let i = 0; i < n; i++) { const len = r.varint(); values.push({ value: r.text(len), count: r.varint() }); }
      for (const v of values) {
        v.docs = new Uint32Array(v.count);
        let d = 0;
        for (let i = 0; i < v.count; i++) { d += r.varint(); v.docs[i] = d; }
      }
      return values;
    });
  }

  // The records' code: { table } of characters by code, { prefix } the dictionary as a stored
  // deflate block.
  recordCode() {
    return this.code ||= (async () => {
      const r = new Reader(await inflate(await this.loader.get('search/code.bin')));
      const table = [];
      for (let n = r.varint(); n > 0; n--) table.push(String.fromCodePoint(r.varint()));
      let cp = 0;
      for (let n = r.varint(); n > 0; n--) { cp += r.varint(); table.push(String.fromCodePoint(cp)); }
      const len = r.varint();
      const prefix = new Uint8Array(5 + len);
      prefix.set([0, len & 0xff, len >> 8, ~len & 0xff, (~len >> 8) & 0xff]);
      prefix.set(r.b.subarray(r.pos, r.pos + len), 5);
      return { table, prefix };
    })();
  }

  // The record of a page: { id, kind, date, url, title, text }, via two range requests.
  record(id) {
    return this.once(this.records, id, async () => {
      const pack = Math.floor(id / this.meta.pack);
      const slot = id % this.meta.pack;
      const path = `search/d/${pack}.bin`;
      const count = Math.min(this.meta.pack, this.n - pack * this.meta.pack);
      const header = await this.once(this.headers, pack, async () => {
        const b = await this.loader.range(path, 0, 4 * (count + 1));
        return new DataView(b.buffer, b.byteOffset, b.byteLength);
      });
      const [bytes, code] = await Promise.all([
        this.loader.range(path, header.getUint32(4 * slot, true), header.getUint32(4 * slot + 4, true)),
        this.recordCode(),
      ]);
      const [kind, date, url, title, text] = decodeRecord(await inflateRecord(bytes, code), code.table).split(SEP);
      return { id, kind, date, url, title, text };
    });
  }

  // Runs a query. `filters` maps a facet name to the values to keep (any of them); `facets`
  // names the facets whose counts over the result set should be computed.
  async search(query, { filters = {}, facets = [] } = {}) {
    const parts = queryParts(query).map((text) => ({ text, terms: queryTerms(text, this.meta.junction) }));
    const active = Object.entries(filters).filter(([, vs]) => vs && vs.length);
    const want = [...new Set([...facets, ...active.map(([k]) => k)])];
    if (parts.length || active.length) this.recordCode().catch(() => {});
    const [lists, facetData] = await Promise.all([
      Promise.all(parts.map((p) => Promise.all(p.terms.map((t) => this.postings(t))))),
      Promise.all(want.map((f) => this.facet(f))),
    ]);
    const facetOf = Object.fromEntries(want.map((f, i) => [f, facetData[i]]));
    return new Results(this, parts, lists, active, facetOf, facets);
  }
}

function parseShard(b) {
  const r = new Reader(b);
  const n = r.varint();
  const heads = [];
  for (let i = 0; i < n; i++) {
    const len = r.varint();
    const term = r.text(len);
    const df = r.varint();
    const flags = r.varint();
    heads.push({ term, df, bitmap: flags & 1, weighted: !(flags & 2), dlen: r.varint(), nt: r.varint() });
  }
  let docPos = r.pos;
  const impBytes = (h) => (h.weighted ? Math.ceil(h.df / 4) : 0);
  let impPos = docPos + heads.reduce((s, h) => s + h.dlen, 0);
  const titles = new Reader(b, impPos + heads.reduce((s, h) => s + impBytes(h), 0));
  const terms = new Map();
  for (const h of heads) {
    const at = { doc: docPos, imp: impPos, title: titles.pos };
    for (let i = 0; i < h.nt; i++) titles.varint();
    docPos += h.dlen;
    impPos += impBytes(h);
    let cached = null;
    // decoded on first use: a shard holds many terms, a query needs one or two of them
    terms.set(h.term, {
      get docs() { return (cached ||= decodeTerm(b, h, at)).docs; },
      get imp() { return (cached ||= decodeTerm(b, h, at)).imp; },
      get title() { return (cached ||= decodeTerm(b, h, at)).title; },
    });
  }
  return { get: (t) => terms.get(t) };
}

function decodeTerm(b, h, at) {
  const docs = new Uint32Array(h.df);
  if (h.bitmap) {
    let k = 0;
    for (let i = 0; i < h.dlen && k < h.df; i++) {
      const byte = b[at.doc + i];
      if (byte) for (let bit = 0; bit < 8; bit++) if (byte & (1 << bit)) docs[k++] = i * 8 + bit;
    }
  } else {
    const r = new Reader(b, at.doc);
    let d = 0;
    for (let i = 0; i < h.df; i++) { d += r.varint(); docs[i] = d; }
  }
  // null: the term is in so many pages that its weight does not matter
  let imp = null;
  if (h.weighted) {
    imp = new Uint8Array(h.df);
    for (let i = 0; i < h.df; i++) imp[i] = ((b[at.imp + (i >> 2)] >> ((i & 3) * 2)) & 3) + 1;
  }
  const title = new Uint32Array(h.nt);
  const r = new Reader(b, at.title);
  let t = 0;
  for (let i = 0; i < h.nt; i++) { t += r.varint(); title[i] = docs[t]; }
  return { docs, imp, title };
}

function decodeRecord(b, table) {
  const out = [];
  for (let i = 0; i < b.length; i++) {
    const x = b[i];
    if (x < 0xf0) out.push(table[x]);
    else if (x < 0xff) { out.push(table[0xf0 + ((x - 0xf0) << 8) + b[i + 1]]); i += 1; } else {
      out.push(String.fromCodePoint(b[i + 1] | (b[i + 2] << 8) | (b[i + 3] << 16)));
      i += 3;
    }
  }
  return out.join('');
}

// ---- results -----------------------------------------------------------------------------------

class Results {
  constructor(index, parts, lists, active, facetOf, facetNames) {
    this.index = index;
    this.parts = parts;
    this.query = parts.map((p) => p.text).join(' ');
    const n = index.n;
    // Exact when each part is itself a term (a character, a bigram or a junction trigram): the
    // postings are then the answer, not just candidates.
    this.exact = parts.every((p) => p.terms.includes(p.text));

    let keep = null;
    const score = new Float64Array(n);
    const titleHits = new Uint8Array(n);
    parts.forEach((part, pi) => {
      const terms = lists[pi];
      const hits = new Uint8Array(n);
      const minImp = new Uint8Array(n).fill(255);
      const inTitle = new Uint8Array(n);
      let idf = 0;
      let weighed = 0;
      terms.forEach((t, ti) => {
        const { docs, imp, title } = t;
        if (isTrigram(part.terms[ti])) {
          for (let i = 0; i < docs.length; i++) hits[docs[i]]++;
          return;
        }
        weighed++;
        idf = Math.max(idf, Math.log(1 + (n - docs.length + 0.5) / (docs.length + 0.5)));
        for (let i = 0; i < docs.length; i++) {
          const d = docs[i];
          hits[d]++;
          const w = imp ? imp[i] : 2;
          if (w < minImp[d]) minImp[d] = w;
        }
        for (let i = 0; i < title.length; i++) inTitle[title[i]]++;
      });
      const next = [];
      const from = keep || allDocs(n);
      for (const d of from) {
        if (hits[d] !== terms.length) continue;
        next.push(d);
        score[d] += idf * minImp[d];
        if (inTitle[d] === weighed) titleHits[d]++;
      }
      keep = next;
    });
    let cands = keep || allDocs(n);
    for (const [name, values] of active) {
      const field = facetOf[name];
      if (!field) continue;
      const mask = new Uint8Array(n);
      for (const v of field) if (values.includes(v.value)) for (const d of v.docs) mask[d] = 1;
      cands = cands.filter((d) => mask[d]);
    }
    this.titleHits = titleHits;
    this.score = score;
    // Most parts in the title first, then relevance, then page number (newest first).
    this.ranked = parts.length
      ? Array.from(cands).sort((a, b) => titleHits[b] - titleHits[a] || score[b] - score[a] || a - b)
      : Array.from(cands);
    this.total = this.ranked.length;
    this.facets = {};
    const inSet = new Uint8Array(n);
    for (const d of this.ranked) inSet[d] = 1;
    for (const name of facetNames) {
      const field = facetOf[name];
      if (!field) continue;
      // a field's own filter is left out of its counts, so its other values stay choosable
      let base = inSet;
      if (active.some(([k]) => k === name)) base = this.countBase(name, active, facetOf, keep, n);
      this.facets[name] = field.map((v) => {
        let c = 0;
        for (const d of v.docs) c += base[d];
        return { value: v.value, count: c };
      }).filter((v) => v.count > 0 || (filtersHave(active, name, v.value)));
    }
    this.shown = [];
    this.cursor = 0;
    this.rejected = 0;
    this.demoted = [];
  }

  countBase(name, active, facetOf, keep, n) {
    const base = new Uint8Array(n);
    let cands = keep || allDocs(n);
    for (const [other, values] of active) {
      if (other === name || !facetOf[other]) continue;
      const mask = new Uint8Array(n);
      for (const v of facetOf[other]) if (values.includes(v.value)) for (const d of v.docs) mask[d] = 1;
      cands = cands.filter((d) => mask[d]);
    }
    for (const d of cands) base[d] = 1;
    return base;
  }

  get done() { return this.cursor >= this.ranked.length && !this.demoted.length; }

  // Results `from` … `from + size - 1` in rank order, each checked against its record.
  async page(from = 0, size = 10) {
    while (this.shown.length < from + size && !this.done) {
      const need = from + size - this.shown.length;
      // no spare fetches: a candidate fails its check rarely (precision is about 0.99)
      const batch = this.ranked.slice(this.cursor, this.cursor + need);
      this.cursor += batch.length;
      const recs = await Promise.all(batch.map((d) => this.index.record(d)));
      for (const rec of recs) this.accept(rec);
      this.flushDemoted();
    }
    this.total = this.done ? this.shown.length : this.ranked.length - this.rejected;
    return this.shown.slice(from, from + size);
  }

  accept(rec) {
    const hit = match(rec, this.parts.map((p) => p.text));
    if (!hit) { this.rejected++; return; }
    const d = rec.id;
    if (hit.titleParts < this.titleHits[d]) {
      // The title had every bigram but not the part: rank it with the pages that have it in
      // the text only.
      this.titleHits[d] = hit.titleParts;
      this.demoted.push(hit);
      this.demoted.sort((a, b) => this.cmp(a.id, b.id));
      return;
    }
    this.flushDemoted(d);
    this.shown.push(hit);
  }

  cmp(a, b) {
    return this.titleHits[b] - this.titleHits[a] || this.score[b] - this.score[a] || a - b;
  }

  // Shows the demoted pages that rank before `next` (or all when the ranking is exhausted).
  flushDemoted(next) {
    while (this.demoted.length) {
      const upcoming = next ?? (this.cursor < this.ranked.length ? this.ranked[this.cursor] : undefined);
      if (upcoming !== undefined && this.cmp(this.demoted[0].id, upcoming) > 0) break;
      this.shown.push(this.demoted.shift());
    }
  }
}

function filtersHave(active, name, value) {
  return active.some(([k, vs]) => k === name && vs.includes(value));
}

function allDocs(n) {
  const a = new Uint32Array(n);
  for (let i = 0; i < n; i++) a[i] = i;
  return a;
}

// ---- matching and excerpts ---------------------------------------------------------------------

const ESC = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
export const escapeHtml = (s) => String(s).replace(/[&<>"']/g, (c) => ESC[c]);

// Where each part occurs in `s` (original UTF-16 ranges), or null if some part is missing.
function find(s, parts) {
  const { text, map } = normalizeMapped(s);
  const ranges = [];
  const found = parts.map((p) => {
    let at = text.indexOf(p);
    const hit = at >= 0;
    while (at >= 0) {
      const end = at + p.length - 1;
      const last = map[end];
      ranges.push([map[at], last + (s.codePointAt(last) > 0xffff ? 2 : 1)]);
      at = text.indexOf(p, at + 1);
    }
    return hit;
  });
  ranges.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  const merged = [];
  for (const r of ranges) {
    const last = merged[merged.length - 1];
    if (last && r[0] <= last[1]) last[1] = Math.max(last[1], r[1]);
    else merged.push([...r]);
  }
  return { found, ranges: merged };
}

// `s[from, to)` as [text, marked] segments: what the matches of `ranges` highlight. Pages build
// their markup from these as DOM text nodes, so no record text is ever parsed as HTML.
function segments(s, ranges, from = 0, to = s.length) {
  const out = [];
  let pos = from;
  for (const [a, b] of ranges) {
    if (b <= from || a >= to) continue;
    if (Math.max(a, from) > pos) out.push([s.slice(pos, Math.max(a, from)), false]);
    out.push([s.slice(Math.max(a, from), Math.min(b, to)), true]);
    pos = Math.min(b, to);
  }
  if (to > pos) out.push([s.slice(pos, to), false]);
  return out;
}

// Segments as escaped HTML with <mark>, for callers that want a string.
export const marksToHtml = (segs) => segs.map(([t, m]) => (m ? `<mark>${escapeHtml(t)}</mark>` : escapeHtml(t))).join('');

const EXCERPT = 110;

// Checks a record against the parts; returns what the page shows, or null if it does not match.
export function match(rec, parts) {
  const t = find(rec.title, parts);
  const x = find(rec.text, parts);
  if (!parts.every((_, i) => t.found[i] || x.found[i])) return null;
  let from = 0;
  if (x.ranges.length) from = Math.max(0, x.ranges[0][0] - 30);
  // don't cut a surrogate pair
  if (from > 0 && rec.text.charCodeAt(from) >= 0xdc00 && rec.text.charCodeAt(from) < 0xe000) from--;
  let to = Math.min(rec.text.length, from + EXCERPT);
  if (to < rec.text.length && rec.text.charCodeAt(to) >= 0xdc00 && rec.text.charCodeAt(to) < 0xe000) to++;
  const titleMarks = segments(rec.title, t.ranges);
  const excerptMarks = segments(rec.text, x.ranges, from, to);
  if (from > 0) excerptMarks.unshift(['…', false]);
  if (to < rec.text.length) excerptMarks.push(['…', false]);
  return {
    id: rec.id,
    url: rec.url,
    kind: rec.kind,
    kindLabel: KIND_LABELS[rec.kind] || rec.kind,
    date: rec.date || null,
    title: rec.title,
    titleParts: t.found.filter(Boolean).length,
    titleMarks,
    excerptMarks,
    titleHtml: marksToHtml(titleMarks),
    excerptHtml: marksToHtml(excerptMarks),
  };
}
