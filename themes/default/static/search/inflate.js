// zlib inflate (or, with `raw`, raw deflate) for browsers without DecompressionStream (Safari
// before 16.4) or its 'deflate-raw' format. RFC 1950/1951; the checksum is not verified.
// Loaded by search.js only when needed.

function tree(lengths) {
  const counts = new Uint16Array(16);
  for (const l of lengths) counts[l]++;
  counts[0] = 0;
  const offs = new Uint16Array(16);
  for (let i = 1; i < 16; i++) offs[i] = offs[i - 1] + counts[i - 1];
  const symbols = new Uint16Array(lengths.length);
  lengths.forEach((l, s) => { if (l) symbols[offs[l]++] = s; });
  return { counts, symbols };
}

const LEN_BASE = [3, 4, 5, 6, 7, 8, 9, 10, 11, 13, 15, 17, 19, 23, 27, 31, 35, 43, 51, 59, 67, 83, 99, 115, 131, 163, 195, 227, 258];
const LEN_EXTRA = [0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3, 3, 4, 4, 4, 4, 5, 5, 5, 5, 0];
const DIST_BASE = [1, 2, 3, 4, 5, 7, 9, 13, 17, 25, 33, 49, 65, 97, 129, 193, 257, 385, 513, 769, 1025, 1537, 2049, 3073, 4097, 6145, 8193, 12289, 16385, 24577];
const DIST_EXTRA = [0, 0, 0, 0, 1, 1, 2, 2, 3, 3, 4, 4, 5, 5, 6, 6, 7, 7, 8, 8, 9, 9, 10, 10, 11, 11, 12, 12, 13, 13];
const ORDER = [16, 17, 18, 0, 8, 7, 9, 6, 10, 5, 11, 4, 12, 3, 13, 2, 14, 1, 15];

let fixed;

export function inflate(input, raw = false) {
  let pos = raw ? 0 : 2; // zlib header
  let bit = 0;
  let nbits = 0;
  let out = new Uint8Array(input.length * 4 + 64);
  let n = 0;
  const bits = (k) => {
    while (nbits < k) { bit |= input[pos++] << nbits; nbits += 8; }
    const v = bit & ((1 << k) - 1);
    bit >>>= k;
    nbits -= k;
    return v;
  };
  const decode = (t) => {
    let code = 0;
    let first = 0;
    let index = 0;
    for (let len = 1; len < 16; len++) {
      code |= bits(1);
      const count = t.counts[len];
      if (code - first < count) return t.symbols[index + code - first];
      index += count;
      first = (first + count) << 1;
      code <<= 1;
    }
    throw new Error('inflate: bad code');
  };
  const room = (k) => {
    if (n + k <= out.length) return;
    const bigger = new Uint8Array(Math.max(out.length * 2, n + k));
    bigger.set(out);
    out = bigger;
  };
  for (let last = 0; !last;) {
    last = bits(1);
    const type = bits(2);
    if (type === 0) {
      bit = 0;
      nbits = 0;
      const len = input[pos] | (input[pos + 1] << 8);
      pos += 4;
      room(len);
      out.set(input.subarray(pos, pos + len), n);
      n += len;
      pos += len;
      continue;
    }
    let lit;
    let dist;
    if (type === 1) {
      if (!fixed) {
        const l = new Array(288).fill(8, 0, 144).fill(9, 144, 256).fill(7, 256, 280).fill(8, 280, 288);
        fixed = [tree(l), tree(new Array(30).fill(5))];
      }
      [lit, dist] = fixed;
    } else {
      const hlit = bits(5) + 257;
      const hdist = bits(5) + 1;
      const hclen = bits(4) + 4;
      const cl = new Array(19).fill(0);
      for (let i = 0; i < hclen; i++) cl[ORDER[i]] = bits(3);
      const ct = tree(cl);
      const lengths = [];
      while (lengths.length < hlit + hdist) {
        const sym = decode(ct);
        if (sym < 16) lengths.push(sym);
        else if (sym === 16) { const prev = lengths[lengths.length - 1]; for (let r = bits(2) + 3; r > 0; r--) lengths.push(prev); } else if (sym === 17) { for (let r = bits(3) + 3; r > 0; r--) lengths.push(0); } else { for (let r = bits(7) + 11; r > 0; r--) lengths.push(0); }
      }
      lit = tree(lengths.slice(0, hlit));
      dist = tree(lengths.slice(hlit));
    }
    for (;;) {
      const sym = decode(lit);
      if (sym === 256) break;
      if (sym < 256) { room(1); out[n++] = sym; continue; }
      const len = LEN_BASE[sym - 257] + bits(LEN_EXTRA[sym - 257]);
      const ds = decode(dist);
      const d = DIST_BASE[ds] + bits(DIST_EXTRA[ds]);
      room(len);
      for (let i = 0; i < len; i++, n++) out[n] = out[n - d];
    }
  }
  return out.subarray(0, n);
}
