// The search page: reads ?q= and filters from the URL, shows results with highlighted excerpts
// and facet filters with counts. Markup: themes/default/templates/search.html.
import { open, KIND_LABELS } from './search.js';

const root = document.getElementById('search');
const form = document.getElementById('search-form');
const input = document.getElementById('search-q');
const status = document.getElementById('search-status');
const list = document.getElementById('search-results');
const more = document.getElementById('search-more');
const facetBox = document.getElementById('search-facets');

const FIELD_LABELS = { kind: '类型', category: '宣讲分类', region: '地区', tag: '标签' };
// Loaded with every search; the others when the reader opens them (tags alone are ~20 KB).
const EAGER = ['kind', 'category'];
const PAGE = 10;
const SHOWN_VALUES = 12;
const wide = window.matchMedia('(min-width: 48rem)');

const state = { q: '', filters: {}, opened: new Set(), closed: new Set(), results: null, totals: {}, page: 0, seq: 0 };
const baseTitle = document.title;
let index = null;

function readUrl() {
  const params = new URLSearchParams(location.search);
  state.q = params.get('q') || '';
  state.filters = {};
  for (const [k, v] of params) if (k !== 'q' && v) (state.filters[k] ||= []).push(v);
  for (const k of Object.keys(state.filters)) if (!EAGER.includes(k)) state.opened.add(k);
}

function writeUrl(push) {
  const params = new URLSearchParams();
  if (state.q) params.set('q', state.q);
  for (const [k, vs] of Object.entries(state.filters)) for (const v of vs) params.append(k, v);
  const qs = params.toString();
  const url = location.pathname + (qs ? `?${qs}` : '');
  if (url !== location.pathname + location.search) history[push ? 'pushState' : 'replaceState'](null, '', url);
}

const label = (field, value) => (field === 'kind' ? KIND_LABELS[value] || value : value);

function formatDate(iso) {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || '');
  return m ? `${+m[1]}年${+m[2]}月${+m[3]}日` : '';
}

function say(text) { status.textContent = text; }

function describe(r) {
  const q = state.q.trim();
  const filtered = Object.values(state.filters).some((v) => v.length);
  if (!q && !filtered) return '输入关键词搜索新闻、宣讲、宣讲人和品牌；也可以直接按类型、地区或标签筛选。';
  if (!r.total) return q ? `没有找到包含“${q}”的内容。` : '没有符合筛选条件的内容。';
  const n = r.exact || r.done ? ` ${r.total} ` : `约 ${r.total} `;
  return q ? `找到${n}条包含“${q}”的结果。` : `共${n}条符合筛选条件的内容。`;
}

// Counts over the current results, or over the whole site when nothing is searched.
function facetValues(field) {
  if (state.results) return state.results.facets[field.name];
  if (state.totals[field.name]) return state.totals[field.name];
  return field.values && field.values.map(([value, count]) => ({ value, count }));
}

// Markup is built as DOM nodes, never parsed from strings: every label, value and excerpt is
// the site's text and stays text.
function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === false || v == null) continue;
    if (k === 'class') node.className = v;
    else if (k === 'data') for (const [dk, dv] of Object.entries(v)) node.dataset[dk] = dv;
    else node.setAttribute(k, v === true ? '' : String(v));
  }
  node.append(...children.filter((c) => c != null && c !== false));
  return node;
}

// [text, highlighted] segments as text nodes and <mark>s.
const marked = (segs) => segs.map(([text, hit]) => (hit ? el('mark', {}, text) : text));

function renderFacet(f) {
  const name = f.name;
  const title = FIELD_LABELS[name] || name;
  const chosen = state.filters[name] || [];
  const values = facetValues(f);
  // Only the kind is always shown; the other groups fold away, and stay open on wide screens.
  const lazy = name !== 'kind';
  const open = state.opened.has(name) || chosen.length || (EAGER.includes(name) && wide.matches && !state.closed.has(name));
  if (values && !values.length && !chosen.length) return null;
  const body = [];
  if (!values) { if (open) body.push(el('p', { class: 'facet-note' }, '正在加载…')); }
  else if (!values.length) body.push(el('p', { class: 'facet-note' }, '无'));
  else {
    const all = state.opened.has(`${name}:all`);
    const shown = all ? values : values.slice(0, SHOWN_VALUES);
    body.push(el('ul', { class: 'facet-values' }, ...shown.map((v) => {
      const id = `f-${name}-${v.value}`.replace(/\s/g, '_');
      return el('li', {},
        el('input', { type: 'checkbox', id, value: v.value, checked: chosen.includes(v.value), data: { field: name } }),
        el('label', { for: id }, label(name, v.value), el('span', { class: 'facet-count' }, String(v.count))));
    })));
    if (values.length > SHOWN_VALUES) {
      body.push(el('button', { type: 'button', class: 'facet-all', 'aria-expanded': String(all), data: { all: name } },
        all ? '收起' : `全部 ${values.length} 项`));
    }
  }
  if (lazy) {
    return el('details', { class: 'facet', open: Boolean(open), data: { field: name } },
      el('summary', {}, title, chosen.length ? el('span', { class: 'facet-chosen' }, `（已选 ${chosen.length}）`) : null),
      ...body);
  }
  return el('fieldset', { class: 'facet' }, el('legend', {}, title), ...body);
}

function renderFacets() {
  const focused = facetBox.contains(document.activeElement) ? document.activeElement.id : null;
  facetBox.replaceChildren(...index.meta.facets.map(renderFacet).filter(Boolean));
  if (focused) document.getElementById(focused)?.focus();
}

function renderHit(h) {
  return el('li', { class: `search-hit search-hit--${h.kind}` },
    el('p', { class: 'search-hit-meta' },
      el('span', { class: 'search-kind' }, h.kindLabel),
      h.date ? el('time', { datetime: h.date }, formatDate(h.date)) : null),
    el('h2', { class: 'search-hit-title' }, el('a', { href: h.url }, ...marked(h.titleMarks))),
    el('p', { class: 'search-excerpt' }, ...marked(h.excerptMarks)));
}

async function run({ push = false } = {}) {
  const seq = ++state.seq;
  writeUrl(push);
  const q = state.q.trim();
  const filtered = Object.values(state.filters).some((v) => v.length);
  document.title = q ? `${q} - ${baseTitle}` : baseTitle;
  if (!q && !filtered) {
    state.results = null;
    list.replaceChildren();
    more.hidden = true;
    renderFacets();
    say(describe(null));
    return;
  }
  root.setAttribute('aria-busy', 'true');
  say('正在搜索…');
  try {
    const facets = [...EAGER, ...[...state.opened].filter((f) => !f.includes(':'))];
    const r = await index.search(q, { filters: state.filters, facets });
    if (seq !== state.seq) return;
    state.results = r;
    const hits = await r.page(0, PAGE);
    if (seq !== state.seq) return;
    list.replaceChildren(...hits.map(renderHit));
    more.hidden = r.done && r.shown.length <= PAGE;
    state.page = 1;
    renderFacets();
    say(describe(r));
  } catch (err) {
    if (seq !== state.seq) return;
    say('搜索索引加载失败，请检查网络后重试。');
    console.error(err);
  } finally {
    if (seq === state.seq) root.removeAttribute('aria-busy');
  }
}

async function showMore() {
  const r = state.results;
  if (!r) return;
  more.disabled = true;
  const seq = state.seq;
  const hits = await r.page(state.page * PAGE, PAGE);
  if (seq !== state.seq) return;
  const first = list.children.length;
  list.append(...hits.map(renderHit));
  state.page++;
  more.disabled = false;
  more.hidden = r.done && r.shown.length <= state.page * PAGE;
  say(describe(r));
  // keyboard users continue from the first new result
  list.children[first]?.querySelector('a')?.focus();
}

let typing = 0;
input.addEventListener('input', () => {
  clearTimeout(typing);
  typing = setTimeout(() => {
    if (state.q !== input.value) { state.q = input.value; run(); }
  }, 250);
});
form.addEventListener('submit', (e) => {
  e.preventDefault();
  clearTimeout(typing);
  state.q = input.value;
  run({ push: true });
});
facetBox.addEventListener('change', (e) => {
  const box = e.target;
  if (!box.matches('input[type=checkbox]')) return;
  const field = box.dataset.field;
  const vs = new Set(state.filters[field] || []);
  if (box.checked) vs.add(box.value); else vs.delete(box.value);
  state.filters[field] = [...vs];
  if (!vs.size) delete state.filters[field];
  run({ push: true });
});
facetBox.addEventListener('toggle', (e) => {
  const d = e.target;
  if (!d.matches('details[data-field]')) return;
  const field = d.dataset.field;
  if (d.open && !state.opened.has(field)) {
    state.opened.add(field);
    state.closed.delete(field);
    if (EAGER.includes(field)) return;
    if (state.results || Object.keys(state.filters).length || state.q.trim()) run();
    else {
      index.facet(field).then((values) => {
        state.totals[field] = values.map((v) => ({ value: v.value, count: v.count }));
        if (!state.results) renderFacets();
      }).catch(() => {});
    }
  } else if (!d.open && state.opened.has(field)) {
    state.opened.delete(field);
    state.closed.add(field);
  }
}, true);
facetBox.addEventListener('click', (e) => {
  const b = e.target.closest('button[data-all]');
  if (!b) return;
  const key = `${b.dataset.all}:all`;
  if (state.opened.has(key)) state.opened.delete(key); else state.opened.add(key);
  renderFacets();
  facetBox.querySelector(`button[data-all="${CSS.escape(b.dataset.all)}"]`)?.focus();
});
more.addEventListener('click', showMore);
window.addEventListener('popstate', () => { readUrl(); input.value = state.q; run(); });

readUrl();
input.value = state.q;
say('正在加载搜索索引…');
open(root.dataset.base || '/').then((ix) => {
  index = ix;
  return run();
}).catch((err) => {
  say('搜索索引加载失败，请检查网络后重试。');
  console.error(err);
});
