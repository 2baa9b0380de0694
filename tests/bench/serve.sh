#!/usr/bin/env bash
# `caidan serve` benchmark (issue 5), on the benchmark corpus (../shared/bench/gen-corpus.py):
#  - save one news item EDITS times, a second apart: milliseconds from the write to the reload
#    message reaching a client of the event stream (median, p95);
#  - a template change (a site override of news.html): write → reload, next to a full
#    `caidan build` of the same site;
#  - the server's memory (RSS) before and after SOAK successive edits;
#  - Hugo's `hugo server` in the same run (Debian's hugo, corpus `--flavor hugo`, serving from
#    memory as by default): write → the server returns the new page (polled every 5 ms), median
#    and p95. Skipped when hugo is missing.
#
#   tests/bench/serve.sh                 N=10000 EDITS=30 SOAK=200 HUGO_EDITS=10
#   N=1000 EDITS=10 SOAK=50 tests/bench/serve.sh
set -euo pipefail
cd "$(dirname "$0")/../.."
N=${N:-10000}
EDITS=${EDITS:-30}
SOAK=${SOAK:-200}
HUGO_EDITS=${HUGO_EDITS:-10}
WORK=${WORK:-/tmp/caidan-serve-bench}
GEN=${GEN:-../shared/bench/gen-corpus.py}

cargo build --release --locked --quiet
mkdir -p "$WORK"
site="$WORK/site-$N"
hugo_site="$WORK/hugo-$N"
[ -d "$site" ] || python3 "$GEN" --news "$N" --out "$site" >/dev/null
if command -v hugo >/dev/null; then
  [ -d "$hugo_site" ] || python3 "$GEN" --news "$N" --out "$hugo_site" --flavor hugo >/dev/null
fi

CAIDAN="$PWD/target/release/caidan" THEME="$PWD/themes/default/templates" SITE="$site" \
HUGO_SITE="$hugo_site" WORK="$WORK" EDITS="$EDITS" SOAK="$SOAK" HUGO_EDITS="$HUGO_EDITS" python3 - <<'PY'
import os, re, shutil, socket, statistics, subprocess, threading, time, queue

caidan, site, work = os.environ["CAIDAN"], os.environ["SITE"], os.environ["WORK"]
edits, soak = int(os.environ["EDITS"]), int(os.environ["SOAK"])
news = os.path.join(site, "content/news/news-00042.md")
original = open(news, encoding="utf-8").read()

def ms(xs):
    xs = sorted(xs)
    p95 = xs[min(len(xs) - 1, int(round(0.95 * (len(xs) - 1))))]
    return f"median {statistics.median(xs):6.1f} ms  p95 {p95:6.1f} ms  (n={len(xs)})"

def rss_mib(pid):
    for line in open(f"/proc/{pid}/status"):
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0

def lines(stream, q):
    for line in stream:
        q.put(line.rstrip("\n"))

def wait_line(q, needle, timeout):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        try:
            line = q.get(timeout=max(0.01, end - time.monotonic()))
        except queue.Empty:
            break
        if needle in line:
            return line
    raise SystemExit(f"timed out waiting for {needle!r}")

# --- caidan serve ---------------------------------------------------------------------------
t = time.monotonic()
server = subprocess.Popen([caidan, "--root", site, "serve", "--port", "0"],
                          stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
log = queue.Queue()
threading.Thread(target=lines, args=(server.stderr, log), daemon=True).start()
try:
    url = wait_line(log, "预览地址：", 600).split("预览地址：")[1]
    startup = time.monotonic() - t
    port = int(re.match(r"http://127\.0\.0\.1:(\d+)/", url).group(1))

    events = queue.Queue()
    sse = socket.create_connection(("127.0.0.1", port))
    sse.sendall(b"GET /__caidan/events HTTP/1.1\r\nHost: localhost\r\n\r\n")
    def read_events():
        for raw in sse.makefile("rb"):
            if raw.startswith(b"data: "):
                events.put((time.monotonic(), raw[6:].decode()))
    threading.Thread(target=read_events, daemon=True).start()
    wait_line_ev = lambda: events.get(timeout=30)
    wait_line_ev()  # hello

    def save(path, text):
        while not events.empty():
            events.get_nowait()
        t0 = time.monotonic()
        with open(path, "w", encoding="utf-8") as f:
            f.write(text)
        while True:
            at, message = events.get(timeout=60)
            if '"type":"reload"' in message:
                return (at - t0) * 1000
            if '"type":"error"' in message:
                raise SystemExit("the edit broke the site: " + message)

    def edit(i):
        return save(news, original + f"\n第 {i} 次修改：工会服务职工。\n")

    for i in range(3):  # warm up
        edit(i)
        time.sleep(0.2)
    # A second between saves: the search index (made once the sources are quiet for 0.5 s, on
    # its own thread) is being made during most of them, as when an author saves often.
    lat = []
    for i in range(edits):
        lat.append(edit(100 + i))
        time.sleep(1.0)

    # A template change: a site override of news.html (every news page uses it).
    templates = os.path.join(site, "templates")
    os.makedirs(templates, exist_ok=True)
    base = open(os.path.join(os.environ["THEME"], "news.html"), encoding="utf-8").read()
    t_template = save(os.path.join(templates, "news.html"),
                      base.replace("<article", "<!-- 基准测试 --><article", 1))
    time.sleep(0.5)
    shutil.rmtree(templates)
    time.sleep(3)

    # Adding and deleting a news item change the lists: the full path.
    added = os.path.join(site, "content/news/bench-added.md")
    t_add = save(added, "---\ntitle: 新增的新闻\ndate: 2024-06-01\ntags: [产改]\n---\n\n正文。\n")
    time.sleep(0.5)
    while not events.empty():
        events.get_nowait()
    t0 = time.monotonic()
    os.remove(added)
    while True:
        at, message = events.get(timeout=600)
        if '"type":"reload"' in message:
            t_remove = (at - t0) * 1000
            break
    time.sleep(1)

    before = rss_mib(server.pid)
    peak = before
    for i in range(soak):
        edit(1000 + i)
        peak = max(peak, rss_mib(server.pid))
    after = rss_mib(server.pid)
finally:
    open(news, "w", encoding="utf-8").write(original)
    shutil.rmtree(os.path.join(site, "templates"), ignore_errors=True)
    if os.path.exists(os.path.join(site, "content/news/bench-added.md")):
        os.remove(os.path.join(site, "content/news/bench-added.md"))
    server.terminate()
    server.wait()

t = time.monotonic()
subprocess.run([caidan, "--root", site, "build", "-o", os.path.join(work, "out")],
               check=True, stderr=subprocess.DEVNULL)
full_build = (time.monotonic() - t) * 1000

print(f"caidan serve, {os.path.basename(site)}: first build + start {startup:.1f} s")
print(f"  save one news item → reload message: {ms(lat)}")
print(f"  template change (news.html) → reload: {t_template:.0f} ms;  full `caidan build`: {full_build:.0f} ms")
print(f"  add a news item → reload: {t_add:.0f} ms;  delete it → reload: {t_remove:.0f} ms")
print(f"  RSS: {before:.0f} MiB before {soak} edits, {after:.0f} MiB after (peak {peak:.0f} MiB)")

# --- hugo server ----------------------------------------------------------------------------
hugo_site = os.environ["HUGO_SITE"]
if shutil.which("hugo") and os.path.isdir(hugo_site):
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    hport = s.getsockname()[1]
    s.close()
    hnews = os.path.join(hugo_site, "content/news/news-00042.md")
    horiginal = open(hnews, encoding="utf-8").read()
    import urllib.request
    page_url = f"http://127.0.0.1:{hport}/news/news-00042/"
    t = time.monotonic()
    hugo = subprocess.Popen(["hugo", "server", "-s", hugo_site, "--bind", "127.0.0.1",
                             "--port", str(hport)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    hlog = queue.Queue()
    threading.Thread(target=lines, args=(hugo.stdout, hlog), daemon=True).start()
    try:
        wait_line(hlog, "Web Server is available", 900)
        hstart = time.monotonic() - t
        def hedit(i):
            marker = f"第 {i} 次修改：工会服务职工。"
            t0 = time.monotonic()
            with open(hnews, "w", encoding="utf-8") as f:
                f.write(horiginal + f"\n{marker}\n")
            while time.monotonic() - t0 < 60:
                try:
                    with urllib.request.urlopen(page_url, timeout=5) as r:
                        if marker in r.read().decode("utf-8"):
                            return (time.monotonic() - t0) * 1000
                except OSError:
                    pass
                time.sleep(0.005)
            raise SystemExit("hugo did not rebuild the page")
        hedit(0)
        time.sleep(0.3)
        hlat = []
        for i in range(int(os.environ["HUGO_EDITS"])):
            hlat.append(hedit(100 + i))
            time.sleep(0.3)
    finally:
        open(hnews, "w", encoding="utf-8").write(horiginal)
        hugo.terminate()
        hugo.wait()
    print(f"hugo server, {os.path.basename(hugo_site)}: first build + start {hstart:.1f} s")
    print(f"  save one news item → new page served: {ms(hlat)}")
PY
