/* caidan default theme: the 点单篮 page. Lists what is in the basket, refuses what cannot be
   ordered (with the reason), keeps the entered fields, and builds the order for every channel:
   text to copy (WeChat), the form link, its QR code (vendor/qrcode.js, loaded on request),
   mailto:. Needs caidan.js. */
(function () {
  "use strict";
  var c = window.caidan;
  if (!c) return;
  var d = document, $ = c.$, $$ = c.$$, base = c.base;
  var page = $("[data-basket]");
  if (page) basketPage(page);

  function basketPage(page) {
    var data = JSON.parse($("#basket-data").textContent);
    var save = c.save, copy = c.copy;
    var booking = data.booking || {};
    var inputs = $$("[data-field]", page);
    var text = "", link = "";
    var qrShown = false;
    inputs.forEach(function (i) {
      i.value = c.basket().fields[i.getAttribute("data-field")] || "";
      i.addEventListener("input", function () {
        c.basket().fields[i.getAttribute("data-field")] = i.value;
        save();
        outputs();
      });
    });
    /* Stored slugs are whatever localStorage holds: only the menu's own lectures count, never
       names every object has ("__proto__", "constructor"). */
    function lecture(s) {
      return Object.prototype.hasOwnProperty.call(data.lectures, s) ? data.lectures[s] : null;
    }
    function orderable() {
      return c.basket().items.filter(function (s) { var l = lecture(s); return l && l.available; });
    }
    function item(slug, l, refused) {
      var li = d.createElement("li"), a = d.createElement("a"), p = d.createElement("p"), b = d.createElement("button");
      li.className = "basket-item";
      a.href = l ? l.url : "#";
      a.textContent = l ? l.title : slug;
      a.className = "basket-title";
      p.className = "meta";
      p.textContent = refused ? "不可预约：" + (l ? l.availability || "宣讲人暂不接受预约" : "这个宣讲已不在菜单上")
        : [l.lecturers, l.duration, l.category].filter(Boolean).join(" · ");
      if (refused) p.className = "status status--busy";
      b.type = "button";
      b.className = "btn btn--small";
      b.setAttribute("data-remove", slug);
      b.textContent = "移出";
      b.setAttribute("aria-label", "移出：" + (l ? l.title : slug));
      li.appendChild(l ? a : d.createTextNode(slug));
      li.appendChild(p);
      li.appendChild(b);
      return li;
    }
    c.onchange = function () {
      var list = $("[data-basket-list]", page), refusedList = $("[data-basket-refused-list]", page);
      list.textContent = "";
      refusedList.textContent = "";
      var good = orderable();
      c.basket().items.forEach(function (s) {
        var l = lecture(s);
        if (good.indexOf(s) >= 0) list.appendChild(item(s, l, false));
        else refusedList.appendChild(item(s, l, true));
      });
      $("[data-basket-n]", page).textContent = good.length ? good.length + "场" : "";
      $("[data-basket-empty]", page).hidden = c.basket().items.length > 0;
      $("[data-basket-refused]", page).hidden = good.length === c.basket().items.length;
      outputs();
    };
    c.onchange();
    function outputs() {
      var good = orderable();
      var ways = $("[data-send-ways]", page);
      ways.hidden = !good.length;
      $("[data-send-hint]", page).textContent = good.length
        ? "任选一种方式发出。微信里打不开邮件时，复制文字发给工会最稳妥。"
        : "先把可预约的宣讲加进点单篮。";
      var lines = ["【宣讲点单】共" + good.length + "场"];
      good.forEach(function (s, n) {
        var l = lecture(s);
        lines.push((n + 1) + ". 《" + l.title + "》" + (l.lecturers ? "，宣讲人：" + l.lecturers : "") + (l.duration ? "，" + l.duration : ""));
      });
      lines.push("宣讲编号：" + good.join(","));
      var query = [];
      inputs.forEach(function (i) {
        var k = i.getAttribute("data-field"), v = i.value.trim();
        lines.push(k + "：" + v);
        if (v) query.push(encodeURIComponent(k) + "=" + encodeURIComponent(v));
      });
      text = lines.join("\n");
      $("[data-order-text]", page).value = text;
      link = data.form_prefix ? data.form_prefix + good.join(",") + (query.length ? "&" + query.join("&") : "") : "";
      var f = $("[data-form-link]", page);
      if (f) f.href = link;
      var m = $("[data-mail-link]", page);
      if (m) m.href = "mailto:" + booking.email + "?subject=" + encodeURIComponent("宣讲点单（" + good.length + "场）") + "&body=" + encodeURIComponent(text + "\n");
      if (qrShown) drawQr();
    }
    function drawQr() {
      var slot = $("[data-qr-slot]", page);
      if (!window.qrcode) return;
      var q = window.qrcode(0, "M");
      q.addData(link);
      q.make();
      slot.innerHTML = q.createSvgTag({ cellSize: 4, margin: 4, scalable: true });
      var svg = $("svg", slot);
      svg.setAttribute("role", "img");
      svg.setAttribute("aria-label", "点单二维码，内容是在线点单表的链接");
    }
    var qrBtn = $("[data-show-qr]", page);
    if (qrBtn) qrBtn.addEventListener("click", function () {
      var fig = $("#order-qr");
      qrShown = fig.hidden;
      fig.hidden = !qrShown;
      qrBtn.setAttribute("aria-expanded", String(qrShown));
      qrBtn.textContent = qrShown ? "收起二维码" : "显示点单二维码";
      if (!qrShown) return;
      if (window.qrcode) return drawQr();
      /* The QR library (MIT, vendored) loads only when asked for: first loads stay small. */
      var s = d.createElement("script");
      s.src = base + "vendor/qrcode.js";
      s.onload = drawQr;
      d.head.appendChild(s);
    });
    $("[data-copy-order]", page).addEventListener("click", function () {
      copy(text, $("[data-order-text]", page), $("[data-copy-note]", page));
    });
  }

})();
