/* caidan default theme: filters over the cards of a page (the lecture menu, the lecturer
   directory). The form is a GET form, so the filter state is the URL (?cat=…&aud=…&q=…); back
   and forward walk it. Loaded only where a page has filters; needs caidan.js. */
(function () {
  "use strict";
  var c = window.caidan;
  if (!c) return;
  var d = document, $ = c.$, $$ = c.$$, say = c.say;
  var form = $("form[data-filters]");
  if (form) filters(form);

  function filters(form) {
    var lectures = form.getAttribute("data-filters") === "lectures";
    var cards = $$(lectures ? "[data-lecture]" : "[data-lecturer]");
    var names = $$("[data-facet]", form).map(function (f) { return f.getAttribute("data-facet"); });
    var attr = { cat: "data-cat", aud: "data-aud", fmt: "data-fmt", dur: "data-dur", region: "data-region", honor: "data-honor", team: "data-team" };
    var qBox = form.elements.q;
    var status = $("[data-filter-status]", form);
    var total = status.textContent;
    var catalog = form.getAttribute("data-catalog");
    var all = null; /* every lecturer, from the catalog, when the directory is paginated */
    var norm = function (s) { return (s || "").toLowerCase().replace(/\s+/g, ""); };
    var info = cards.map(function (c) {
      var v = {};
      names.forEach(function (n) { var a = c.getAttribute(attr[n]); v[n] = a ? a.split("|") : []; });
      var t = $(".card-title", c);
      v.text = norm((t ? t.textContent : "") + "|" + c.getAttribute("data-names"));
      return { el: c, li: c.closest("li") || c, v: v };
    });

    function read() {
      var sel = {};
      names.forEach(function (n) { sel[n] = $$("input[name=" + n + "]:checked", form).map(function (i) { return i.value; }); });
      return { sel: sel, q: qBox.value.trim() };
    }
    function fromUrl() {
      var p = new URLSearchParams(location.search);
      $$("input[type=checkbox]", form).forEach(function (i) { i.checked = p.getAll(i.name).indexOf(i.value) >= 0; });
      qBox.value = p.get("q") || "";
    }
    function toUrl(st, push) {
      var p = new URLSearchParams();
      names.forEach(function (n) { st.sel[n].forEach(function (v) { p.append(n, v); }); });
      if (st.q) p.set("q", st.q);
      var s = p.toString();
      var url = location.pathname + (s ? "?" + s : "") + location.hash;
      if (url !== location.pathname + location.search + location.hash) history[push ? "pushState" : "replaceState"](null, "", url);
    }
    /* Within a facet any chosen value matches; across facets all must. A lecture without
       regions can be given anywhere, so it matches every region. */
    function ok(v, st, skip) {
      for (var k = 0; k < names.length; k++) {
        var n = names[k], want = st.sel[n];
        if (n === skip || !want.length) continue;
        if (n === "region" && lectures && !v.region.length) continue;
        if (!want.some(function (w) { return v[n].indexOf(w) >= 0; })) return false;
      }
      return !st.q || v.text.indexOf(norm(st.q)) >= 0;
    }
    function fromCard(l) {
      return {
        region: l.region ? [l.region.name] : [], team: l.team ? [l.team] : [], honor: [l.honor_level || "无"],
        text: norm(l.name + "|"), card: l
      };
    }
    function apply() {
      var st = read();
      var active = st.q || names.some(function (n) { return st.sel[n].length; });
      var pool = info.map(function (x) { return x.v; });
      if (catalog && active && !all) {
        fetch(catalog).then(function (r) { return r.json(); }).then(function (j) { all = j.items.map(fromCard); apply(); }, function () { catalog = null; });
      }
      if (catalog && active && all) pool = all;
      var shown = 0;
      if (pool === all) {
        shown = showAll(st);
      } else {
        info.forEach(function (x) { var m = ok(x.v, st); x.li.hidden = !m; shown += m; });
        var results = $("[data-results]");
        if (results) results.classList.toggle("is-filtered", !!active);
        $$("[data-group]").forEach(function (g) { g.hidden = !!active && !$("li:not([hidden]) [data-lecture], li:not([hidden]) [data-lecturer]", g); });
      }
      $$("input[type=checkbox]", form).forEach(function (i) {
        var c = 0;
        pool.forEach(function (v) {
          if (!ok(v, st, i.name)) return;
          if (v[i.name].indexOf(i.value) >= 0 || (i.name === "region" && lectures && !v.region.length)) c++;
        });
        var out = $("[data-count]", i.parentNode);
        if (out) out.textContent = c;
        i.parentNode.classList.toggle("is-zero", !c && !i.checked);
      });
      var unit = lectures ? "个宣讲" : "位宣讲人";
      status.textContent = active ? "找到" + shown + unit : total;
      var empty = $("[data-filter-empty]");
      if (empty) empty.hidden = !active || shown > 0;
      var more = $("details", form);
      if (more) {
        var n = $$("details input:checked", form).length;
        $("[data-more-n]", form).textContent = n ? "（已选" + n + "项）" : "";
      }
      form.classList.toggle("is-active", !!active);
      return st;
    }
    function showAll(st) {
      var list = $("[data-all]");
      var grid = $("[data-group]");
      if (!list) {
        list = d.createElement("ul");
        list.className = "card-grid card-grid--people";
        list.setAttribute("data-all", "");
        grid.insertAdjacentElement("afterend", list);
      }
      grid.hidden = true;
      var pager = $(".pager");
      if (pager) pager.hidden = true;
      var hits = all.filter(function (v) { return ok(v, st); });
      list.textContent = "";
      hits.forEach(function (v) {
        var l = v.card, li = d.createElement("li"), a = d.createElement("a"), p = d.createElement("p");
        li.className = "card person-card person-card--row";
        a.href = l.url;
        a.textContent = l.name;
        a.className = "card-title";
        p.className = "meta";
        p.textContent = [l.top_honor && l.top_honor.name, l.org, l.region && l.region.name].filter(Boolean).join(" · ");
        li.appendChild(a);
        li.appendChild(p);
        list.appendChild(li);
      });
      return hits.length;
    }
    var timer;
    form.addEventListener("change", function (ev) {
      if (ev.target === qBox) return;
      toUrl(apply(), true);
    });
    qBox.addEventListener("input", function () {
      clearTimeout(timer);
      timer = setTimeout(function () { toUrl(apply(), false); }, 200);
    });
    form.addEventListener("submit", function (ev) { ev.preventDefault(); toUrl(apply(), true); qBox.blur(); });
    form.addEventListener("reset", function () {
      setTimeout(function () { toUrl(apply(), true); say("已清除筛选"); }, 0);
    });
    window.addEventListener("popstate", function () { fromUrl(); apply(); });
    fromUrl();
    var st = apply();
    /* On phones the topics scroll sideways: bring a chosen one into view. */
    $$("input:checked", form).forEach(function (i) {
      var row = i.closest(".facet-opts");
      if (row && row.scrollWidth > row.clientWidth) row.scrollLeft += i.parentNode.getBoundingClientRect().left - row.getBoundingClientRect().left - 16;
    });
    if (names.some(function (n) { return st.sel[n].length && $("details [data-facet=" + n + "]", form); })) $("details", form).open = true;
  }

})();
