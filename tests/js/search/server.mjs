// A static file server for the search tests and benchmark, on 127.0.0.1 only. It behaves like
// the static hosts caidan sites live on: gzip for text types when the client accepts it (never
// for the pre-compressed .bin files), single-range requests, index.html for directories.
import http from 'node:http';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8', '.json': 'application/json', '.svg': 'image/svg+xml', '.png': 'image/png',
  '.bin': 'application/octet-stream', '.txt': 'text/plain; charset=utf-8', '.xml': 'application/xml',
};
const COMPRESSIBLE = new Set(['.html', '.js', '.mjs', '.css', '.json', '.svg', '.txt', '.xml']);

// Serves `root` under `prefix` (a site's sub-path, e.g. "/gonghui/"); resolves to
// { url, close, log } where `url` has no trailing slash and log lists
// [path, status, bodyBytes, wireBytes] (wireBytes: status line, headers and body as sent).
export function serve(root, { ranges = true, prefix = '/' } = {}) {
  const log = [];
  const server = http.createServer((req, res) => {
    const url = new URL(req.url, 'http://x');
    const sent = req.socket.bytesWritten;
    const entry = [url.pathname, 0, 0, 0];
    res.on('finish', () => { entry[3] = req.socket.bytesWritten - sent; });
    const note = (status, bytes) => { entry[1] = status; entry[2] = bytes; log.push(entry); };
    if (!url.pathname.startsWith(prefix)) { res.writeHead(404).end(); note(404, 0); return; }
    let file = path.join(root, decodeURIComponent(url.pathname.slice(prefix.length - 1)));
    if (!path.resolve(file).startsWith(path.resolve(root))) { res.writeHead(403).end(); return; }
    try {
      if (fs.statSync(file).isDirectory()) file = path.join(file, 'index.html');
    } catch { /* 404 below */ }
    let body;
    try { body = fs.readFileSync(file); } catch {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      note(404, 9);
      return;
    }
    const ext = path.extname(file);
    const headers = { 'content-type': TYPES[ext] || 'application/octet-stream', 'accept-ranges': ranges ? 'bytes' : 'none', 'cache-control': 'no-cache' };
    const range = ranges && /^bytes=(\d+)-(\d*)$/.exec(req.headers.range || '');
    if (range) {
      const start = +range[1];
      const end = range[2] ? Math.min(+range[2], body.length - 1) : body.length - 1;
      if (start >= body.length || end < start) {
        res.writeHead(416, { 'content-range': `bytes */${body.length}` }).end();
        return;
      }
      const part = body.subarray(start, end + 1);
      res.writeHead(206, { ...headers, 'content-range': `bytes ${start}-${end}/${body.length}`, 'content-length': part.length });
      res.end(req.method === 'HEAD' ? undefined : part);
      note(206, part.length);
      return;
    }
    if (COMPRESSIBLE.has(ext) && /\bgzip\b/.test(req.headers['accept-encoding'] || '')) {
      body = zlib.gzipSync(body, { level: 6 });
      headers['content-encoding'] = 'gzip';
      headers.vary = 'accept-encoding';
    }
    res.writeHead(200, { ...headers, 'content-length': body.length });
    res.end(req.method === 'HEAD' ? undefined : body);
    note(200, body.length);
  });
  return new Promise((resolve) => {
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      resolve({ url: `http://127.0.0.1:${port}`, log, close: () => new Promise((r) => { server.closeAllConnections?.(); server.close(r); }) });
    });
  });
}

// `node server.mjs DIR [PREFIX]` serves a directory by hand.
if (import.meta.url === `file://${process.argv[1]}`) {
  const s = await serve(process.argv[2] || '.', { prefix: process.argv[3] || '/' });
  console.log(s.url);
}
