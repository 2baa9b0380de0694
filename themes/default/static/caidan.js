/* caidan default theme. Progressive enhancement only: every page works without it.
   长辈模式 and the 点单篮 (kept in localStorage) on every page; filters.js and basket.js add the
   menu's filters and the order page where they are used, through window.caidan. */
(function () {
  "use strict";
  var d = document, root = d.documentElement;
  var base = root.getAttribute("data-base") || "/";
  function $(s, el) { return (el || d).querySelector(s); }
  function $$(s, el) { return Array.prototype.slice.call((el || d).querySelectorAll(s)); }
  function get(k) { try { return localStorage.getItem(k); } catch (e) { return null; } }
  function put(k, v) { try { localStorage.setItem(k, v); } catch (e) { /* private mode: no memory */ } }

  /* One polite live region for what changes out of sight. */
  var live = d.createElement("p");
  live.className = "vh";
  live.setAttribute("role", "status");
  d.body.appendChild(live);
  function say(msg) { live.textContent = ""; setTimeout(function () { live.textContent = msg; }, 50); }

  /* ---------- 长辈模式: larger text, higher contrast; applied before paint by <head>. ---------- */
  var elder = $("[data-elder]");
  if (elder) {
    var syncElder = function () { elder.setAttribute("aria-pressed", String(root.classList.contains("elder"))); };
    syncElder();
    elder.addEventListener("click", function () {
      var on = root.classList.toggle("elder");
      put("caidan-elder", on ? "1" : "0");
      syncElder();
    });
  }

  /* ---------- 点单篮: slugs and the entered fields, per site. ---------- */
  var KEY = "caidan-basket:" + base;
  function load() {
    try {
      var b = JSON.parse(get(KEY));
      if (b && Array.isArray(b.items)) {
        return { items: b.items.filter(function (s) { return typeof s === "string"; }), fields: b.fields || {} };
      }
    } catch (e) { /* a broken entry starts a new basket */ }
    return { items: [], fields: {} };
  }
  var basket = load();
  function save() { put(KEY, JSON.stringify(basket)); }
  var basketUrl = ($("[data-basket-link]") || {}).href || base + "lectures/basket/";

  function refresh() {
    $$("[data-basket-count]").forEach(function (el) { el.textContent = basket.items.length; });
    $$("[data-add]").forEach(function (btn) {
      var inIt = basket.items.indexOf(btn.getAttribute("data-add")) >= 0;
      btn.classList.toggle("is-added", inIt);
      $("[data-add-label]", btn).textContent = inIt ? "✓ 已加入（点此移出）" : "加入点单";
      var go = $("[data-go]", btn.parentNode);
      if (inIt && !go) {
        go = d.createElement("a");
        go.className = "basket-go lift";
        go.setAttribute("data-go", "");
        go.href = basketUrl;
        btn.parentNode.appendChild(go);
      }
      if (go) {
        go.hidden = !inIt;
        go.textContent = "去点单篮（" + basket.items.length + "）";
      }
    });
    if (api.onchange) api.onchange();
  }
  d.addEventListener("click", function (ev) {
    var btn = ev.target.closest && ev.target.closest("[data-add], [data-remove]");
    if (!btn) return;
    var slug = btn.getAttribute("data-add") || btn.getAttribute("data-remove");
    var i = basket.items.indexOf(slug);
    if (i >= 0) basket.items.splice(i, 1); else basket.items.push(slug);
    save();
    refresh();
    say((i >= 0 ? "已移出点单篮" : "已加入点单篮") + "，共" + basket.items.length + "项");
  });
  window.addEventListener("storage", function (ev) {
    if (ev.key === KEY) { basket = load(); refresh(); }
  });

  var api = window.caidan = { $: $, $$: $$, base: base, say: say, copy: copy, refresh: refresh, save: save, onchange: null, basket: function () { return basket; } };

  /* Copies text; where the clipboard API is missing (older WeChat), selects it for the user. */
  function copy(value, area, note) {
    function done() { note.textContent = "已复制，可以粘贴到微信发给工会"; }
    function fallback() {
      area.focus();
      area.select();
      try { if (d.execCommand("copy")) return done(); } catch (e) { /* fall through */ }
      note.textContent = "请长按文字，选择“复制”";
    }
    if (navigator.clipboard && window.isSecureContext) navigator.clipboard.writeText(value).then(done, fallback);
    else fallback();
  }

  /* A copy button beside the 点单 text of a lecture page. */
  $$("textarea[data-copy]").forEach(function (ta) {
    var btn = d.createElement("button");
    btn.type = "button";
    btn.className = "btn copy-btn";
    btn.textContent = "复制点单文字";
    var note = d.createElement("span");
    note.className = "copy-note";
    note.setAttribute("role", "status");
    btn.addEventListener("click", function () { copy(ta.value, ta, note); });
    ta.insertAdjacentElement("afterend", btn);
    btn.insertAdjacentElement("afterend", note);
  });

  $$("[data-print]").forEach(function (b) { b.addEventListener("click", function () { window.print(); }); });
  refresh();

  /* Markdown task-list boxes come without a label. */
  $$(".prose li > input[type=checkbox]:not([aria-label])").forEach(function (c) {
    c.setAttribute("aria-label", c.checked ? "已完成" : "未完成");
  });
  /* Keep the highlighted nav entry in view on narrow screens. */
  var cur = $(".site-nav a[aria-current]");
  if (cur) {
    var bar = cur.closest("ul");
    if (bar && bar.scrollWidth > bar.clientWidth) bar.scrollLeft = cur.getBoundingClientRect().left - bar.getBoundingClientRect().left - (bar.clientWidth - cur.offsetWidth) / 2;
  }
  /* Wide tables scroll sideways on phones: make them reachable by keyboard. */
  $$(".prose table").forEach(function (t) {
    if (t.scrollWidth > t.clientWidth + 1) {
      t.tabIndex = 0;
      if (!t.hasAttribute("aria-label")) t.setAttribute("aria-label", "可左右滑动的表格");
    }
  });
})();
