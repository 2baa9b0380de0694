/* Progressive enhancement only: the pages work without it. */
(function () {
  "use strict";
  /* A copy button beside the 点单 text, for pasting into WeChat. */
  var boxes = document.querySelectorAll("textarea[data-copy]");
  Array.prototype.forEach.call(boxes, function (ta) {
    if (!navigator.clipboard) return;
    var btn = document.createElement("button");
    btn.type = "button";
    btn.className = "btn copy-btn";
    btn.textContent = "复制点单文字";
    var note = document.createElement("span");
    note.className = "vh";
    note.setAttribute("role", "status");
    btn.addEventListener("click", function () {
      navigator.clipboard.writeText(ta.value).then(function () {
        btn.textContent = "已复制";
        note.textContent = "点单文字已复制";
        setTimeout(function () { btn.textContent = "复制点单文字"; }, 2000);
      }, function () { ta.select(); });
    });
    ta.insertAdjacentElement("afterend", btn);
    btn.insertAdjacentElement("afterend", note);
  });
  /* Markdown task-list boxes come without a label. */
  Array.prototype.forEach.call(document.querySelectorAll(".prose li > input[type=checkbox]:not([aria-label])"), function (c) {
    c.setAttribute("aria-label", c.checked ? "已完成" : "未完成");
  });
  /* Keep the highlighted nav entry in view on narrow screens. */
  var cur = document.querySelector(".site-nav a[aria-current]");
  if (cur) {
    var bar = cur.closest("ul");
    if (bar && bar.scrollWidth > bar.clientWidth) bar.scrollLeft = cur.getBoundingClientRect().left - bar.getBoundingClientRect().left - (bar.clientWidth - cur.offsetWidth) / 2;
  }
  /* Wide tables scroll sideways on phones: make them reachable by keyboard. */
  Array.prototype.forEach.call(document.querySelectorAll(".prose table"), function (t) {
    if (t.scrollWidth > t.clientWidth + 1) {
      t.tabIndex = 0;
      if (!t.hasAttribute("aria-label")) t.setAttribute("aria-label", "可左右滑动的表格");
    }
  });
})();
