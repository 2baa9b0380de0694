// Shared by the search tests and the benchmark: build a site with caidan, read its search files
// from disk, and compute the exact answer to a query by scanning every page's text.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { normalize, queryParts, open } from '../../../themes/default/static/search/search.js';

export const HERE = path.dirname(fileURLToPath(import.meta.url));
export const FIXTURE = path.join(HERE, 'fixture');
export const CAIDAN = process.env.CAIDAN_BIN || path.resolve(HERE, '../../../target/debug/caidan');

// Builds `site` into a new temporary folder and returns the folder.
export function build(site, out = fs.mkdtempSync(path.join(os.tmpdir(), 'caidan-search-'))) {
  execFileSync(CAIDAN, ['build', '--root', site, '--output-dir', out], { stdio: ['ignore', 'ignore', 'pipe'] });
  if (!fs.existsSync(path.join(out, 'search', 'meta.json'))) throw new Error(`${CAIDAN} wrote no search/meta.json in ${out}`);
  return out;
}

// The site's sub-path from site.yaml's base_url ("/gonghui/" or "/").
export function basePath(site) {
  const m = /^base_url:\s*["']?\w+:\/\/[^/\s"']+(\/[^\s"']*)?/m.exec(fs.readFileSync(path.join(site, 'site.yaml'), 'utf8'));
  const p = (m && m[1]) || '/';
  return p.endsWith('/') ? p : `${p}/`;
}

// A loader over the output folder, counting what it reads.
export function fileLoader(dir) {
  const stats = { requests: 0, bytes: 0 };
  return {
    stats,
    async get(p) {
      const b = fs.readFileSync(path.join(dir, p));
      stats.requests++;
      stats.bytes += b.length;
      return new Uint8Array(b);
    },
    async range(p, start, end) {
      const fd = fs.openSync(path.join(dir, p), 'r');
      try {
        const b = Buffer.alloc(end - start);
        fs.readSync(fd, b, 0, end - start, start);
        stats.requests++;
        stats.bytes += b.length;
        return new Uint8Array(b);
      } finally { fs.closeSync(fd); }
    },
  };
}

export async function openIndex(dir, base = '/') {
  const loader = fileLoader(dir);
  const index = await open(base, { loader });
  return { index, loader };
}

// Every page as indexed: its record, with the normalised title and text.
export async function pages(index) {
  const all = [];
  for (let id = 0; id < index.n; id++) {
    const r = await index.record(id);
    all.push({ ...r, normTitle: normalize(r.title), normText: normalize(r.text) });
  }
  return all;
}

// The pages whose normalised title or text contains every part of the query: what Ctrl-F finds.
export function grep(allPages, query, filter = () => true) {
  const parts = queryParts(query);
  if (!parts.length) return [];
  return allPages.filter((p) => filter(p) && parts.every((q) => p.normTitle.includes(q) || p.normText.includes(q)));
}

// Every result the client shows for the query, paging to the end.
export async function everything(index, query, options) {
  const r = await index.search(query, options);
  const shown = [];
  for (let from = 0; ; from += 50) {
    const page = await r.page(from, 50);
    shown.push(...page);
    if (page.length < 50) break;
  }
  return { r, shown };
}
