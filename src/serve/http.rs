//! A small HTTP/1.1 server on `std::net`: one thread per connection, `GET` and `HEAD` only,
//! every response closes its connection. Pages come from the in-memory output ([`Live`]); the
//! live-reload script is added to each HTML page as it is sent; `/__caidan/events` is the
//! Server-Sent Events stream the script listens to.
//!
//! It is bound to loopback by default, but a browser tab, a script or a LAN neighbour may still
//! send it anything: at most [`MAX_CONNECTIONS`] threads (further connections wait in the
//! listen queue), a deadline for the request head and a timeout for every write (a slow or
//! vanished client frees its thread), and request paths that could name something outside the
//! output (`..`, encoded slashes, backslashes, NUL) are refused before any lookup.

use super::files::{Lookup, content_type, lookup};
use super::{Live, reload};
use crate::resolve::urls::encode_path;
use std::io::{self, Read, Write};
use std::net::{TcpListener, TcpStream};
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::{Duration, Instant};

/// Connections served at once; more wait in the listen queue until one ends.
const MAX_CONNECTIONS: usize = 512;
/// The longest request head read.
const MAX_HEAD: usize = 16 * 1024;
/// The longest request target; ours are far shorter.
const MAX_TARGET: usize = 4096;
/// The whole request head must arrive within this (a client that drips bytes is cut off).
const HEAD_DEADLINE: Duration = Duration::from_secs(10);
/// A client that stops reading a response for this long is dropped.
const WRITE_TIMEOUT: Duration = Duration::from_secs(30);
/// How often an idle event stream is pinged, which also notices pages that went away.
const PING: Duration = Duration::from_secs(15);

/// Serves `live` on `listener` from a new thread, for as long as the process runs.
pub fn spawn(listener: TcpListener, live: Arc<Live>) -> io::Result<thread::JoinHandle<()>> {
    thread::Builder::new()
        .name("caidan-http".into())
        .spawn(move || accept(&listener, &live))
}

fn accept(listener: &TcpListener, live: &Arc<Live>) {
    let gate = Arc::new(Gate::default());
    for stream in listener.incoming() {
        let Ok(stream) = stream else {
            // Out of file descriptors, most likely: give closing connections a moment.
            thread::sleep(Duration::from_millis(10));
            continue;
        };
        // Waits here, not in a thread, so a flood of connections cannot exhaust the process.
        let slot = Gate::enter(&gate);
        let live = live.clone();
        let _ = thread::Builder::new()
            .name("caidan-conn".into())
            .spawn(move || {
                let _slot = slot;
                let _ = handle(stream, &live);
            });
    }
}

/// Counts open connections up to [`MAX_CONNECTIONS`].
#[derive(Default)]
struct Gate {
    open: Mutex<usize>,
    freed: Condvar,
}

/// One open connection; leaving frees its place, also when its thread panics.
struct Slot(Arc<Gate>);

impl Gate {
    fn enter(gate: &Arc<Gate>) -> Slot {
        let mut open = gate
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        while *open >= MAX_CONNECTIONS {
            open = gate
                .freed
                .wait(open)
                .unwrap_or_else(std::sync::PoisonError::into_inner);
        }
        *open += 1;
        Slot(gate.clone())
    }
}

impl Drop for Slot {
    fn drop(&mut self) {
        let mut open = self
            .0
            .open
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner);
        *open -= 1;
        self.0.freed.notify_one();
    }
}

fn handle(mut stream: TcpStream, live: &Live) -> io::Result<()> {
    stream.set_write_timeout(Some(WRITE_TIMEOUT))?;
    let head = read_head(&mut stream)?;
    let Some((method, target)) = request_line(&head) else {
        return respond(&mut stream, 400, TEXT, &[], b"bad request", false);
    };
    if target.len() > MAX_TARGET {
        return respond(&mut stream, 414, TEXT, &[], b"URI too long", false);
    }
    let head_only = method == "HEAD";
    if method != "GET" && !head_only {
        return respond(
            &mut stream,
            405,
            TEXT,
            &[("Allow", "GET, HEAD")],
            b"",
            false,
        );
    }
    let (raw_path, query) = match target.split_once('?') {
        Some((p, q)) => (p, Some(q)),
        None => (target, None),
    };
    let Some(path) = request_path(raw_path) else {
        return respond(&mut stream, 400, TEXT, &[], b"bad request", head_only);
    };
    if path == reload::EVENTS_PATH {
        return events(stream, live);
    }

    let snap = live.snapshot();
    let Some(files) = &snap.files else {
        // The first build failed: every page is the list of errors.
        let (code, body): (u16, &[u8]) = match &snap.failure {
            Some(f) => (500, &f.page),
            None => (503, "正在生成网站，请稍候刷新".as_bytes()),
        };
        return respond(&mut stream, code, HTML, &[], body, head_only);
    };
    match lookup(files, &snap.base_path, &path) {
        Lookup::File(key) => match files.get(key.as_str()).map(super::files::Body::read) {
            Some(Ok(bytes)) => {
                let kind = content_type(&key);
                if kind.starts_with("text/html") {
                    let page = reload::inject(&bytes, snap.version);
                    respond(&mut stream, 200, kind, &[], &page, head_only)
                } else {
                    respond(&mut stream, 200, kind, &[], &bytes, head_only)
                }
            }
            _ => not_found(&mut stream, files, snap.version, head_only),
        },
        Lookup::Redirect(to) => {
            let mut location = encode_path(&to);
            if let Some(q) = query {
                location = format!("{location}?{q}");
            }
            respond(
                &mut stream,
                301,
                TEXT,
                &[("Location", &location)],
                b"",
                head_only,
            )
        }
        Lookup::NotFound => not_found(&mut stream, files, snap.version, head_only),
    }
}

const TEXT: &str = "text/plain; charset=utf-8";
const HTML: &str = "text/html; charset=utf-8";

/// The site's own 404 page, with the script so it reloads too.
fn not_found(
    stream: &mut TcpStream,
    files: &super::files::Files,
    version: u64,
    head_only: bool,
) -> io::Result<()> {
    match files.get("404.html").map(super::files::Body::read) {
        Some(Ok(page)) => respond(
            stream,
            404,
            HTML,
            &[],
            &reload::inject(&page, version),
            head_only,
        ),
        _ => respond(
            stream,
            404,
            TEXT,
            &[],
            "找不到这个页面".as_bytes(),
            head_only,
        ),
    }
}

/// The event stream of one open page: the current state first, then every message.
fn events(mut stream: TcpStream, live: &Live) -> io::Result<()> {
    let messages = live.hub.subscribe();
    let snap = live.snapshot();
    stream.write_all(
        b"HTTP/1.1 200 OK\r\nContent-Type: text/event-stream; charset=utf-8\r\nCache-Control: no-store\r\nConnection: keep-alive\r\n\r\nretry: 500\n\n",
    )?;
    let hello = reload::hello(snap.version, snap.failure.as_ref().map(|f| &f.errors));
    drop(snap);
    write!(stream, "data: {hello}\n\n")?;
    stream.flush()?;
    loop {
        match messages.recv_timeout(PING) {
            Ok(message) => write!(stream, "data: {message}\n\n")?,
            Err(std::sync::mpsc::RecvTimeoutError::Timeout) => stream.write_all(b": ping\n\n")?,
            Err(std::sync::mpsc::RecvTimeoutError::Disconnected) => return Ok(()),
        }
        stream.flush()?;
    }
}

fn respond(
    stream: &mut TcpStream,
    code: u16,
    content_type: &str,
    headers: &[(&str, &str)],
    body: &[u8],
    head_only: bool,
) -> io::Result<()> {
    let reason = match code {
        200 => "OK",
        301 => "Moved Permanently",
        400 => "Bad Request",
        404 => "Not Found",
        405 => "Method Not Allowed",
        414 => "URI Too Long",
        500 => "Internal Server Error",
        _ => "Service Unavailable",
    };
    let mut head = format!(
        "HTTP/1.1 {code} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\nCache-Control: no-store\r\nConnection: close\r\n",
        body.len()
    );
    for (name, value) in headers {
        head.push_str(&format!("{name}: {value}\r\n"));
    }
    head.push_str("\r\n");
    stream.write_all(head.as_bytes())?;
    if !head_only {
        stream.write_all(body)?;
    }
    stream.flush()
}

/// Reads up to the blank line that ends the request head, within [`HEAD_DEADLINE`] in all.
fn read_head(stream: &mut TcpStream) -> io::Result<Vec<u8>> {
    let deadline = Instant::now() + HEAD_DEADLINE;
    let mut head = Vec::with_capacity(1024);
    let mut buf = [0u8; 2048];
    loop {
        let left = deadline
            .checked_duration_since(Instant::now())
            .filter(|d| !d.is_zero())
            .ok_or(io::ErrorKind::TimedOut)?;
        stream.set_read_timeout(Some(left))?;
        let n = stream.read(&mut buf)?;
        if n == 0 {
            return Ok(head);
        }
        head.extend_from_slice(&buf[..n]);
        if head.windows(4).any(|w| w == b"\r\n\r\n") || head.len() > MAX_HEAD {
            return Ok(head);
        }
    }
}

/// `GET /x HTTP/1.1` → (`GET`, `/x`).
fn request_line(head: &[u8]) -> Option<(&str, &str)> {
    let end = head.iter().position(|&b| b == b'\r' || b == b'\n')?;
    let line = std::str::from_utf8(&head[..end]).ok()?;
    let mut words = line.split(' ');
    let (method, target, version) = (words.next()?, words.next()?, words.next()?);
    (version.starts_with("HTTP/") && target.starts_with('/')).then_some((method, target))
}

/// The decoded path of a request target's path part, or `None` when it could name anything
/// but an output file: an encoded `/`, `\\` or NUL (never in a URL caidan writes, and a way to
/// smuggle separators past a check), a backslash, a control character, or a `.`/`..` segment.
fn request_path(raw: &str) -> Option<String> {
    let raw = raw.split('#').next().unwrap_or("");
    let lower = raw.to_ascii_lowercase();
    if ["%2f", "%5c", "%00"].iter().any(|e| lower.contains(e)) {
        return None;
    }
    let path = percent_decode(raw)?;
    let bad = path.chars().any(|c| c == '\\' || c.is_control())
        || path.split('/').any(|seg| seg == "." || seg == "..");
    (!bad).then_some(path)
}

/// `%E7%8F%AD` → `班`; `None` for a bad escape or bytes that are not UTF-8.
fn percent_decode(path: &str) -> Option<String> {
    let bytes = path.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = std::str::from_utf8(bytes.get(i + 1..i + 3)?).ok()?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8(out).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn request_paths_are_decoded() {
        assert_eq!(
            percent_decode("/tags/%E7%8F%AD%E5%89%8D/").as_deref(),
            Some("/tags/班前/")
        );
        assert_eq!(percent_decode("/a%2").as_deref(), None);
        assert_eq!(percent_decode("/%FF").as_deref(), None);
        assert_eq!(
            request_line(b"GET /x?y HTTP/1.1\r\nHost: a\r\n\r\n"),
            Some(("GET", "/x?y"))
        );
        assert_eq!(request_line(b"GET x HTTP/1.1\r\n"), None);
    }

    #[test]
    fn paths_that_could_leave_the_output_are_refused() {
        for bad in [
            "/../site.yaml",
            "/a/%2e%2e/%2E%2E/etc/passwd",
            "/..%2fsite.yaml",
            "/news%2Fx/",
            "/%5c..%5csite.yaml",
            "/a\\..\\b",
            "/a%00.html",
            "/a%0d%0aSet-Cookie:x",
            "/./index.html",
            "/%c0%ae%c0%ae/",
        ] {
            assert_eq!(request_path(bad), None, "{bad}");
        }
        assert_eq!(
            request_path("/tags/%E7%8F%AD/#top").as_deref(),
            Some("/tags/班/")
        );
        assert_eq!(request_path("/a..b/.x").as_deref(), Some("/a..b/.x"));
    }
}
