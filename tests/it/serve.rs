//! `caidan serve`: incremental rebuilds give what a clean build gives, byte for byte; and the
//! real server serves the site, reloads open pages and shows errors over them (issue 5).

use crate::harness::Site;
use caidan::serve::incremental::{Outcome, State};
use std::collections::BTreeMap;
use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::sync::mpsc::{Receiver, channel};
use std::time::{Duration, Instant};

type Output = BTreeMap<String, Vec<u8>>;

/// What a clean `build::generate` makes with the options the state was built under, and how
/// many warnings it gives.
fn clean(state: &State) -> Option<(Output, usize)> {
    let (generated, warnings) = caidan::build::generate(&state.build_options()).ok()?;
    let files = caidan::serve::files::from_output(&generated.output)
        .into_iter()
        .map(|(k, v)| (k.to_string(), v.read().expect("readable").into_owned()))
        .collect();
    Some((files, warnings.len()))
}

fn served(state: &State) -> Output {
    state
        .files()
        .expect("a good build")
        .iter()
        .map(|(k, v)| (k.to_string(), v.read().expect("readable").into_owned()))
        .collect()
}

/// The served output as it stands, copied files by their source (which an edit may delete).
fn kept(state: &State) -> Output {
    use caidan::serve::files::Body;
    state
        .files()
        .expect("a good build")
        .iter()
        .map(|(k, v)| {
            let id = match v {
                Body::Disk(p) => p.display().to_string().into_bytes(),
                other => other.read().expect("in memory").into_owned(),
            };
            (k.to_string(), id)
        })
        .collect()
}

/// Applies edits to a copy of the fixture through `State::apply`, as the watcher does, and
/// compares the result with a clean build after each one.
struct Editor {
    site: Site,
    state: State,
}

impl Editor {
    fn new() -> Editor {
        let site = Site::fixture("serve/site");
        let (state, outcome) = State::new(&site.root, "http://127.0.0.1:1111", false);
        assert!(outcome.result.is_ok(), "first build failed");
        let editor = Editor { site, state };
        editor.same_as_clean("first build");
        editor
    }

    fn path(&self, rel: &str) -> PathBuf {
        self.site.root.join(rel)
    }

    fn write(&mut self, rel: &str, text: &str) -> Outcome {
        let path = self.path(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(&path, text).unwrap();
        self.apply(&[path])
    }

    fn replace(&mut self, rel: &str, from: &str, to: &str) -> Outcome {
        let text = std::fs::read_to_string(self.path(rel)).unwrap();
        assert!(text.contains(from), "{rel} has no {from:?}");
        self.write(rel, &text.replacen(from, to, 1))
    }

    fn remove(&mut self, rel: &str) -> Outcome {
        let path = self.path(rel);
        if path.is_dir() {
            std::fs::remove_dir_all(&path).unwrap();
        } else {
            std::fs::remove_file(&path).unwrap();
        }
        self.apply(&[path])
    }

    fn rename(&mut self, from: &str, to: &str) -> Outcome {
        std::fs::rename(self.path(from), self.path(to)).unwrap();
        self.apply(&[self.path(from), self.path(to)])
    }

    /// Applies a change, then makes the search index again, as the server does once the
    /// author pauses.
    fn apply(&mut self, paths: &[PathBuf]) -> Outcome {
        let outcome = self.state.apply(paths).expect("the change matters");
        self.state.refresh_search();
        outcome
    }

    /// The step succeeded and its output equals a clean build's.
    fn ok(&self, step: &str, outcome: &Outcome, quick: bool) {
        let warnings = match &outcome.result {
            Ok(built) => {
                assert_eq!(built.quick, quick, "{step}: quick path expected: {quick}");
                built.warnings.len()
            }
            Err(d) => panic!("{step}: rebuild failed: {d:?}"),
        };
        let (_, want) = clean(&self.state).expect("clean build");
        assert_eq!(warnings, want, "{step}: warnings");
        self.same_as_clean(step);
    }

    /// The step failed, as a clean build does, and the last good output is still served.
    fn fails(&self, step: &str, outcome: &Outcome, before: &Output) {
        assert!(outcome.result.is_err(), "{step}: rebuild should fail");
        assert!(clean(&self.state).is_none(), "{step}: clean build succeeds");
        assert!(
            &kept(&self.state) == before,
            "{step}: served output changed"
        );
    }

    fn same_as_clean(&self, step: &str) {
        let (want, _) = clean(&self.state).unwrap_or_else(|| panic!("{step}: clean build failed"));
        let got = served(&self.state);
        let missing: Vec<&String> = want.keys().filter(|k| !got.contains_key(*k)).collect();
        let extra: Vec<&String> = got.keys().filter(|k| !want.contains_key(*k)).collect();
        assert!(
            missing.is_empty() && extra.is_empty(),
            "{step}: missing {missing:?}, extra {extra:?}"
        );
        for (path, bytes) in &want {
            if &got[path] != bytes {
                let (a, b) = (
                    String::from_utf8_lossy(bytes),
                    String::from_utf8_lossy(&got[path]),
                );
                let at = a
                    .char_indices()
                    .zip(b.chars())
                    .find(|((_, x), y)| x != y)
                    .map_or(a.len().min(b.len()), |((i, _), _)| i);
                let around = |s: &str| -> String {
                    s.chars()
                        .skip(s[..at.min(s.len())].chars().count().saturating_sub(80))
                        .take(200)
                        .collect()
                };
                panic!(
                    "{step}: {path} differs from a clean build at byte {at}:\nclean:\n{}\nserved:\n{}",
                    around(&a),
                    around(&b),
                );
            }
        }
    }
}

#[test]
fn incremental_rebuilds_equal_a_clean_build_after_every_edit() {
    let mut ed = Editor::new();

    // Quick path: entries whose links stay, and cards that embed theirs.
    let o = ed.replace("content/news/item-3.md", "正文", "改过的正文");
    ed.ok("edit a news body", &o, true);
    let o = ed.replace("content/news/item-4.md", "正文", "正文（改）");
    ed.ok(
        "edit a file that has a warning (it stays one warning)",
        &o,
        true,
    );
    let o = ed.replace(
        "content/lecturers/kong-shengdong/index.md",
        "只有起点",
        "没有终点",
    );
    ed.ok(
        "edit a lecturer's quote (their lectures embed it)",
        &o,
        true,
    );
    let o = ed.replace("content/brands/ceshi/first.md", "一句话", "两句话");
    ed.ok("edit a brand's slogan (its matrix shows it)", &o, true);
    let o = ed.replace("content/lectures/hushi.md", "duration: 60", "duration: 15");
    ed.ok("a lecture becomes brief (the home page lists it)", &o, true);
    let o = ed.replace("content/about/guide.md", "正文。", "新的正文。");
    ed.ok("edit a plain page", &o, true);
    let o = ed.replace("content/news/item-1.md", "正文", "<b>粗体</b>正文");
    ed.ok("edit the oldest news item (last list page)", &o, true);

    // Full path: links, files and folders.
    let o = ed.replace(
        "content/news/item-2.md",
        "tags: [产改]",
        "tags: [产改, 新标签]",
    );
    ed.ok("change a tag", &o, false);
    let o = ed.replace("content/news/item-4.md", "2023-04-04", "2022-12-31");
    ed.ok("change a date (the lists reorder)", &o, false);
    let o = ed.write(
        "content/lecturers/li-ming.md",
        "---\nname: 李明\nhonors: [全国五一劳动奖章]\n---\n\n李明是焊工。\n",
    );
    ed.ok("add a lecturer", &o, false);
    let o = ed.write(
        "content/lectures/hanjie.md",
        "---\ntitle: 焊花里的青春\nlecturers: [li-ming]\ncategory: 工匠精神\n---\n\n提纲。\n",
    );
    ed.ok("add a lecture in a new category", &o, false);
    let o = ed.rename("content/news/bundle-a", "content/news/bundle-b");
    ed.ok("rename a page bundle folder", &o, false);

    // Breaking and fixing.
    let before = kept(&ed.state);
    let o = ed.remove("content/news/bundle-b/extra.png");
    ed.fails("delete an image the body shows", &o, &before);
    let o = ed.replace("content/news/bundle-b/index.md", "![另一张](extra.png)", "");
    ed.ok("stop showing the deleted image", &o, false);
    let before = kept(&ed.state);
    let o = ed.replace(
        "content/news/item-3.md",
        "title: 第 3 条新闻",
        "title: [第 3 条",
    );
    ed.fails("break a file's front matter", &o, &before);
    let o = ed.replace(
        "content/news/item-3.md",
        "title: [第 3 条",
        "title: 第 3 条新闻",
    );
    ed.ok("fix it", &o, true);
    let o = ed.remove("content/lecturers/wang-fang.md");
    ed.fails("delete a lecturer a lecture names", &o, &before);
    let o = ed.remove("content/lectures/hushi.md");
    ed.ok("delete the lecture too", &o, false);

    // Templates, static files, site.yaml.
    let theme = Path::new(env!("CARGO_MANIFEST_DIR")).join("themes/default/templates");
    let news = std::fs::read_to_string(theme.join("news.html")).unwrap();
    let o = ed.write(
        "templates/news.html",
        &news.replacen("<article", "<!-- 改过的模板 --><article", 1),
    );
    ed.ok("override a template", &o, true);
    let card = std::fs::read_to_string(theme.join("partials/news-card.html")).unwrap();
    let o = ed.write(
        "templates/partials/news-card.html",
        &card.replacen("</", "<!-- 卡片 --></", 1),
    );
    ed.ok("override a partial that lists include", &o, true);
    let o = ed.write("static/extra.css", "body { color: #333; }\n");
    ed.ok("add a static file", &o, true);
    let o = ed.replace("site.yaml", "预览测试工会", "预览测试总工会");
    ed.ok("edit site.yaml", &o, false);
    let o = ed.write(
        "content/guide/more.md",
        "---\ntitle: 更多\n---\n\n更多说明。\n",
    );
    ed.ok("add a page in a new section", &o, false);
    // Raw HTML (issue 7): shown as text with a warning, then let through by site.yaml; a body
    // kept from the last build must follow the setting.
    let o = ed.replace(
        "content/news/item-3.md",
        "改过的正文",
        "<b>粗</b>改过的正文",
    );
    ed.ok("raw HTML in a body", &o, true);
    let o = ed.replace(
        "site.yaml",
        "paginate_by: 2",
        "paginate_by: 2\nunsafe_html: true",
    );
    ed.ok("allow raw HTML", &o, false);
    assert!(
        served(&ed.state)["news/item-3/index.html"]
            .windows(b"<b>".len())
            .any(|w| w == b"<b>")
    );
}

/// The real `caidan serve`, on a free port; killed when dropped.
struct Server {
    child: Child,
    port: u16,
    stderr: Receiver<String>,
}

impl Server {
    fn start(site: &Site) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_caidan"))
            .arg("--root")
            .arg(&site.root)
            .args(["serve", "--port", "0"])
            .env("NO_COLOR", "1")
            .stderr(Stdio::piped())
            .stdout(Stdio::null())
            .spawn()
            .expect("start caidan serve");
        let (tx, stderr) = channel();
        let pipe = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(pipe).lines().map_while(Result::ok) {
                if tx.send(line).is_err() {
                    break;
                }
            }
        });
        let mut server = Server {
            child,
            port: 0,
            stderr,
        };
        let line = server.wait_line("预览地址：");
        let url = line.split("预览地址：").nth(1).unwrap();
        server.port = url
            .trim_start_matches("http://127.0.0.1:")
            .split('/')
            .next()
            .unwrap()
            .parse()
            .unwrap();
        server
    }

    fn wait_line(&self, needle: &str) -> String {
        let deadline = Instant::now() + Duration::from_secs(60);
        let mut seen = Vec::new();
        while let Some(left) = deadline.checked_duration_since(Instant::now()) {
            match self.stderr.recv_timeout(left) {
                Ok(line) if line.contains(needle) => return line,
                Ok(line) => seen.push(line),
                Err(_) => break,
            }
        }
        panic!("no line with {needle:?}; stderr:\n{}", seen.join("\n"));
    }

    /// `GET path`: status, head and body.
    fn get(&self, path: &str) -> (u16, String, String) {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        s.set_read_timeout(Some(Duration::from_secs(10))).unwrap();
        write!(s, "GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").unwrap();
        let mut raw = Vec::new();
        s.read_to_end(&mut raw).unwrap();
        let raw = String::from_utf8_lossy(&raw).into_owned();
        let (head, body) = raw.split_once("\r\n\r\n").unwrap();
        let status = head[9..12].parse().unwrap();
        (status, head.to_string(), body.to_string())
    }

    /// The event stream, one `data:` payload per message.
    fn events(&self) -> Receiver<String> {
        let mut s = TcpStream::connect(("127.0.0.1", self.port)).unwrap();
        write!(
            s,
            "GET /__caidan/events HTTP/1.1\r\nHost: localhost\r\n\r\n"
        )
        .unwrap();
        let (tx, rx) = channel();
        std::thread::spawn(move || {
            for line in BufReader::new(s).lines().map_while(Result::ok) {
                if let Some(data) = line.strip_prefix("data: ")
                    && tx.send(data.to_string()).is_err()
                {
                    break;
                }
            }
        });
        rx
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// Waits for a message containing every one of `needles`.
fn expect(events: &Receiver<String>, needles: &[&str]) -> String {
    let deadline = Instant::now() + Duration::from_secs(30);
    let mut seen = Vec::new();
    while let Some(left) = deadline.checked_duration_since(Instant::now()) {
        match events.recv_timeout(left) {
            Ok(m) if needles.iter().all(|n| m.contains(n)) => return m,
            Ok(m) => seen.push(m),
            Err(_) => break,
        }
    }
    panic!("no message with {needles:?}; got:\n{}", seen.join("\n"));
}

#[test]
fn serve_reloads_open_pages_and_shows_errors_over_them() {
    let site = Site::fixture("serve/site");
    let server = Server::start(&site);

    let (status, _, home) = server.get("/gonghui/");
    assert_eq!(status, 200);
    assert!(home.contains("data-caidan-serve") && home.contains("/__caidan/events"));
    assert_eq!(home.matches("data-caidan-serve").count(), 1);
    let (status, head, _) = server.get("/");
    assert_eq!(status, 301);
    assert!(head.contains("Location: /gonghui/"), "{head}");
    let (status, head, _) = server.get("/gonghui/news/item-1");
    assert_eq!(status, 301);
    assert!(head.contains("Location: /gonghui/news/item-1/"), "{head}");
    let (status, head, _) = server.get("/gonghui/tags/%E4%BA%A7%E6%94%B9/");
    assert_eq!(status, 200);
    assert!(head.contains("text/html; charset=utf-8"), "{head}");
    let (status, _, missing) = server.get("/gonghui/no-such-page/");
    assert_eq!(status, 404);
    assert!(
        missing.contains("data-caidan-serve"),
        "the 404 page reloads too"
    );
    let (status, head, _) = server.get("/gonghui/news/bundle-a/photo.png");
    assert_eq!(status, 200);
    assert!(head.contains("image/png"), "{head}");

    let events = server.events();
    expect(&events, &["\"type\":\"hello\"", "\"errors\":null"]);
    site.file(
        "content/news/item-1.md",
        "---\ntitle: 第 1 条新闻\ndate: 2023-01-01\n---\n\n改过的第一条新闻。\n",
    );
    expect(&events, &["\"type\":\"reload\""]);
    let (_, _, page) = server.get("/gonghui/news/item-1/");
    assert!(page.contains("改过的第一条新闻"), "{page}");

    site.file(
        "content/news/item-1.md",
        "---\ntitle: [第 1 条新闻\ndate: 2023-01-01\n---\n\n坏了。\n",
    );
    let error = expect(&events, &["\"type\":\"error\"", "content/news/item-1.md"]);
    assert!(error.contains("\"line\":2"), "{error}");
    let (status, _, page) = server.get("/gonghui/news/item-1/");
    assert_eq!(status, 200, "the last good page is still served");
    assert!(page.contains("改过的第一条新闻"));
    // A page opened now learns of the errors at once.
    let late = server.events();
    expect(&late, &["\"type\":\"hello\"", "content/news/item-1.md"]);

    site.file(
        "content/news/item-1.md",
        "---\ntitle: 第 1 条新闻\ndate: 2023-01-01\n---\n\n修好了。\n",
    );
    expect(&events, &["\"type\":\"reload\""]);
    let (_, _, page) = server.get("/gonghui/news/item-1/");
    assert!(page.contains("修好了"));

    // Folders: a renamed page bundle moves with its image.
    std::fs::rename(
        site.root.join("content/news/bundle-a"),
        site.root.join("content/news/bundle-c"),
    )
    .unwrap();
    expect(&events, &["\"type\":\"reload\""]);
    assert_eq!(server.get("/gonghui/news/bundle-c/").0, 200);
    assert_eq!(server.get("/gonghui/news/bundle-c/photo.png").0, 200);
    assert_eq!(server.get("/gonghui/news/bundle-a/").0, 404);
    drop(server);

    site.build();
    for file in ["index.html", "news/item-1/index.html", "404.html"] {
        let html = site.read(file);
        assert!(
            !html.contains("data-caidan-serve") && !html.contains("__caidan"),
            "build output has the reload script: {file}"
        );
    }
}

#[test]
fn a_first_build_that_fails_is_served_as_its_errors_until_fixed() {
    let site = Site::fixture("serve/site");
    site.file(
        "content/news/item-2.md",
        "---\ntitle: 第 2 条新闻\ndate: 2023-02-30\n---\n\n日期不对。\n",
    );
    let server = Server::start(&site);
    let (status, _, page) = server.get("/gonghui/");
    assert_eq!(status, 500);
    assert!(page.contains("content/news/item-2.md") && page.contains("data-caidan-serve"));
    let events = server.events();
    expect(&events, &["\"type\":\"hello\"", "content/news/item-2.md"]);
    site.file(
        "content/news/item-2.md",
        "---\ntitle: 第 2 条新闻\ndate: 2023-02-28\n---\n\n日期对了。\n",
    );
    expect(&events, &["\"type\":\"reload\""]);
    let (status, _, page) = server.get("/gonghui/news/item-2/");
    assert_eq!(status, 200);
    assert!(page.contains("日期对了"));
}

/// Sends `request` as raw bytes and returns the status (0 when the server sent nothing).
fn raw_status(port: u16, request: &[u8]) -> (u16, String) {
    let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
    s.set_read_timeout(Some(Duration::from_secs(15))).unwrap();
    s.write_all(request).unwrap();
    let mut raw = Vec::new();
    let _ = s.read_to_end(&mut raw);
    let raw = String::from_utf8_lossy(&raw).into_owned();
    let status = raw.get(9..12).and_then(|s| s.parse().ok()).unwrap_or(0);
    (status, raw)
}

/// Issue 7: the server answers only from the output, whatever the request path says.
#[test]
fn serve_refuses_paths_that_leave_the_output() {
    let site = Site::fixture("serve/site");
    let server = Server::start(&site);
    let long = format!("/gonghui/{}", "a/".repeat(5000));
    let attempts = [
        "/gonghui/../site.yaml",
        "/gonghui/../../../../etc/passwd",
        "/gonghui/%2e%2e/site.yaml",
        "/gonghui/%2E%2E/%2E%2E/%2E%2E/etc/passwd",
        "/gonghui/..%2fsite.yaml",
        "/gonghui/news%2Fitem-1/",
        "/gonghui/..\\site.yaml",
        "/gonghui/%5c..%5csite.yaml",
        "/gonghui/index.html%00.png",
        "/gonghui/./index.html",
        "/gonghui/%252e%252e/site.yaml",
        "/gonghui/%c0%ae%c0%ae/site.yaml",
        "//etc/passwd",
        "/gonghui//etc/passwd",
        long.as_str(),
    ];
    for path in attempts {
        let (status, raw) = raw_status(
            server.port,
            format!("GET {path} HTTP/1.1\r\nHost: localhost\r\n\r\n").as_bytes(),
        );
        assert!((400..500).contains(&status), "{path}: {status}");
        assert!(
            !raw.contains("base_url") && !raw.contains("root:"),
            "{path} leaked a file"
        );
    }
    // A request that is not HTTP, or that names no path, gets 400 and no file.
    for request in [
        &b"GET ../site.yaml HTTP/1.1\r\n\r\n"[..],
        b"GET http://x/../site.yaml HTTP/1.1\r\n\r\n",
        b"\x00\x01\x02\r\n\r\n",
    ] {
        assert_eq!(raw_status(server.port, request).0, 400);
    }
    // The same pages by their proper names are there.
    assert_eq!(server.get("/gonghui/news/item-1/").0, 200);
    assert_eq!(server.get("/gonghui/index.html").0, 200);
}

/// Issue 7: 1,000 requests at once all get the page, whole; a client that hangs up halfway
/// through a large file, or drips its request, costs the server nothing lasting.
#[test]
fn serve_survives_a_thousand_clients_and_ones_that_hang_up() {
    let site = Site::fixture("serve/site");
    // Incompressible and large, so the response outlasts socket buffers.
    let mut big = Vec::with_capacity(16 << 20);
    let mut x: u32 = 1;
    while big.len() < 16 << 20 {
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        big.extend_from_slice(&x.to_le_bytes());
    }
    site.file("static/big.bin", "");
    std::fs::write(site.root.join("static/big.bin"), &big).unwrap();
    let server = Server::start(&site);
    let (status, _, page) = server.get("/gonghui/news/item-1/");
    assert_eq!(status, 200);

    let port = server.port;
    let barrier = std::sync::Arc::new(std::sync::Barrier::new(1000));
    let clients: Vec<_> = (0..1000)
        .map(|_| {
            let barrier = barrier.clone();
            std::thread::Builder::new()
                .stack_size(64 * 1024)
                .spawn(move || {
                    barrier.wait();
                    let mut s = TcpStream::connect(("127.0.0.1", port))?;
                    s.set_read_timeout(Some(Duration::from_secs(60)))?;
                    s.write_all(b"GET /gonghui/news/item-1/ HTTP/1.1\r\nHost: x\r\n\r\n")?;
                    let mut raw = Vec::new();
                    s.read_to_end(&mut raw)?;
                    Ok::<_, std::io::Error>(raw)
                })
                .unwrap()
        })
        .collect();
    let mut ok = 0;
    for c in clients {
        let raw = c.join().unwrap().expect("request completes");
        let raw = String::from_utf8_lossy(&raw);
        let (head, body) = raw.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 200 "), "{head}");
        assert_eq!(body, page);
        ok += 1;
    }
    assert_eq!(ok, 1000);

    // Hang up after a few bytes of a 16 MiB response, many times over.
    for _ in 0..50 {
        let mut s = TcpStream::connect(("127.0.0.1", port)).unwrap();
        s.write_all(b"GET /gonghui/big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
            .unwrap();
        let mut first = [0u8; 64];
        s.read_exact(&mut first).unwrap();
        assert!(first.starts_with(b"HTTP/1.1 200 "));
    }
    // A client that never finishes its request is cut off at the head deadline.
    let mut slow = TcpStream::connect(("127.0.0.1", port)).unwrap();
    slow.set_read_timeout(Some(Duration::from_secs(30)))
        .unwrap();
    let start = Instant::now();
    let cut_off = b"GET /gonghui/ HTTP/1.1\r\nHost: x"
        .iter()
        .cycle()
        .find_map(|b| {
            if slow.write_all(&[*b]).is_err() {
                return Some(Some(start.elapsed()));
            }
            if start.elapsed() > Duration::from_secs(25) {
                return Some(None);
            }
            std::thread::sleep(Duration::from_millis(300));
            None
        });
    let at = cut_off
        .flatten()
        .expect("a client that drips its request is cut off");
    assert!(at >= Duration::from_secs(9), "cut off after {at:?}");

    // Still serving, all of it.
    let (status, _, again) = server.get("/gonghui/news/item-1/");
    assert_eq!((status, again), (200, page));
    let (status, raw) = raw_status(port, b"GET /gonghui/big.bin HTTP/1.1\r\nHost: x\r\n\r\n");
    assert_eq!(status, 200);
    assert!(raw.len() > 16 << 20);
}
