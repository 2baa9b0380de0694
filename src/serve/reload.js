<script data-caidan-serve>
(() => {
  const version = __VERSION__;
  let overlay = null;
  const el = (tag, css, text) => {
    const e = document.createElement(tag);
    if (css) e.style.cssText = css;
    if (text != null) e.textContent = text;
    return e;
  };
  const hide = () => { if (overlay) { overlay.remove(); overlay = null; } };
  const show = (m) => {
    hide();
    const errors = m.errors.filter((d) => d.severity === "error").length;
    overlay = el("div", "position:fixed;inset:0;z-index:2147483647;overflow:auto;box-sizing:border-box;padding:24px;background:rgba(24,24,27,.96);color:#f4f4f5;font:15px/1.6 system-ui,'PingFang SC','Microsoft YaHei',sans-serif;text-align:left");
    overlay.id = "caidan-overlay";
    overlay.lang = "zh-CN";
    overlay.setAttribute("role", "alertdialog");
    const close = el("button", "float:right;font:inherit;padding:2px 12px;cursor:pointer", "关闭");
    close.onclick = hide;
    overlay.append(close,
      el("h2", "margin:0 0 4px;font-size:20px;color:#fca5a5", `错误 ${errors} 个：网站没有更新`),
      el("p", "margin:0 0 16px;color:#d4d4d8", "下面是 caidan 发现的问题。改好文件并保存后，这个提示会消失，页面会自动刷新。" + (version > 0 ? "在那之前看到的是上一次成功生成的页面。" : "")));
    for (const d of m.errors) {
      const box = el("div", "margin:0 0 16px;padding:12px 16px;background:#27272a;border-left:4px solid " + (d.severity === "error" ? "#f87171" : "#facc15"));
      const where = [d.file, d.line, d.column].filter((x) => x != null).join(":");
      if (where) box.append(el("div", "font-family:ui-monospace,monospace;color:#93c5fd", where));
      box.append(el("div", "font-weight:bold", (d.severity === "error" ? "错误：" : "警告：") + d.message));
      if (d.field) box.append(el("div", "color:#d4d4d8", "字段：" + d.field));
      if (d.source_line != null) {
        const line = (d.line != null ? d.line + " │ " : "") + d.source_line;
        box.append(el("pre", "margin:8px 0;padding:8px 12px;background:#18181b;white-space:pre-wrap;font:14px/1.5 ui-monospace,monospace", d.label ? line + "\n↑ " + d.label : line));
      } else if (d.label) {
        box.append(el("div", "", d.label));
      }
      if (d.help) box.append(el("div", "color:#86efac", "怎么改：" + d.help));
      overlay.append(box);
    }
    document.body.append(overlay);
  };
  const events = new EventSource("/__caidan/events");
  events.onmessage = (e) => {
    let m;
    try { m = JSON.parse(e.data); } catch { return; }
    if (m.type === "error" || (m.type === "hello" && m.errors)) show(m);
    else if (m.type === "reload" || (m.type === "hello" && m.version !== version)) location.reload();
  };
})();
</script>
