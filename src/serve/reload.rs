//! Live reload: the script injected into every served page, the messages sent to it over
//! Server-Sent Events, and the [`Hub`] that fans a message out to every open page.
//!
//! The script is added when a page is served, never to the rendered output, so `caidan build`
//! can never contain it. Protocol (one JSON object per SSE `data:` line):
//! - `{"type":"hello","version":N,"errors":[…]|null}` on connect: the page reloads when it is
//!   older than build `N`, or shows the overlay when the site currently has errors;
//! - `{"type":"reload","version":N}` after a good build: the page reloads;
//! - `{"type":"error","errors":[…],"summary":"…"}` after a failed build: the overlay lists the
//!   diagnostics (file:line:column, message, field, source line, help), in Chinese.

use crate::diagnostics::{Diagnostics, render, summary};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex, mpsc};

/// Where the page listens for messages.
pub const EVENTS_PATH: &str = "/__caidan/events";

/// The client: listens, reloads, shows or hides the error overlay. `__VERSION__` is replaced by
/// the build the page came from.
const SCRIPT: &str = include_str!("reload.js");

/// The script for a page from build `version`.
pub fn script(version: u64) -> String {
    SCRIPT.replace("__VERSION__", &version.to_string())
}

/// Adds the script before the last `</body>` (or at the end when there is none).
pub fn inject(html: &[u8], version: u64) -> Vec<u8> {
    let script = script(version);
    let at = rfind(html, b"</body>").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + script.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(script.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn rfind(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    haystack.windows(needle.len()).rposition(|w| w == needle)
}

/// The diagnostics as the overlay reads them.
pub fn errors_json(diagnostics: &Diagnostics) -> Value {
    let mut sorted = diagnostics.clone();
    sorted.sort();
    // Errors first: they are why the page did not update.
    let (errors, warnings): (Vec<_>, Vec<_>) = sorted.iter().partition(|d| d.is_error());
    Value::Array(
        errors
            .into_iter()
            .chain(warnings)
            .map(crate::diagnostics::Diagnostic::to_json)
            .collect(),
    )
}

pub fn hello(version: u64, errors: Option<&Value>) -> String {
    json!({ "type": "hello", "version": version, "errors": errors }).to_string()
}

pub fn reload(version: u64) -> String {
    json!({ "type": "reload", "version": version }).to_string()
}

pub fn error(diagnostics: &Diagnostics, errors: &Value) -> String {
    json!({ "type": "error", "errors": errors, "summary": summary(diagnostics) }).to_string()
}

/// The page served for every path when the very first build failed: the diagnostics as text
/// (readable without JavaScript), and the script, which shows the overlay and reloads once the
/// site builds.
pub fn failure_page(diagnostics: &Diagnostics) -> Vec<u8> {
    let mut sorted = diagnostics.clone();
    sorted.sort();
    let text: Vec<String> = sorted.iter().map(|d| render(d, false)).collect();
    let html = format!(
        "<!doctype html>\n<html lang=\"zh-CN\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>网站有错误 · caidan serve</title>\n</head>\n<body style=\"font-family:system-ui,sans-serif;margin:24px\">\n<h1>网站还没能生成</h1>\n<p>{}。改好文件并保存后，这个页面会自动刷新。</p>\n<pre style=\"white-space:pre-wrap\">{}</pre>\n</body>\n</html>\n",
        escape(&summary(diagnostics)),
        escape(&text.join("\n")),
    );
    inject(html.as_bytes(), 0)
}

fn escape(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Every open page's event stream.
#[derive(Default)]
pub struct Hub {
    subscribers: Mutex<Vec<mpsc::Sender<Arc<str>>>>,
}

impl Hub {
    /// A new page connects: it receives every message sent from now on.
    pub fn subscribe(&self) -> mpsc::Receiver<Arc<str>> {
        let (tx, rx) = mpsc::channel();
        self.lock().push(tx);
        rx
    }

    /// Sends `message` to every open page; pages that went away are forgotten.
    pub fn broadcast(&self, message: &str) {
        let message: Arc<str> = message.into();
        self.lock().retain(|s| s.send(message.clone()).is_ok());
    }

    pub fn len(&self) -> usize {
        self.lock().len()
    }

    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<mpsc::Sender<Arc<str>>>> {
        // A panic while holding the lock leaves a plain list behind: still usable.
        self.subscribers
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostics::{Diagnostic, Source};

    #[test]
    fn script_goes_before_the_last_body_end() {
        let page = inject(b"<html><body><p>x</p></body></html>", 7);
        let page = String::from_utf8(page).unwrap();
        assert!(page.starts_with("<html><body><p>x</p><script data-caidan-serve>"));
        assert!(page.ends_with("</script>\n</body></html>"));
        assert!(page.contains("const version = 7;"));
        let bare = String::from_utf8(inject(b"<p>no body</p>", 1)).unwrap();
        assert!(bare.starts_with("<p>no body</p><script"));
    }

    #[test]
    fn error_message_carries_file_line_field_and_help() {
        let source = Source::new(
            "content/news/x.md",
            "---\ntitle: x\ndate: 2023-13-01\n---\n",
        );
        let d = Diagnostic::error("日期不对")
            .at(&source, 19..29)
            .field("date")
            .help("写成 2023-05-12");
        let diags = Diagnostics::from(d);
        let m: Value = serde_json::from_str(&error(&diags, &errors_json(&diags))).unwrap();
        let e = &m["errors"][0];
        assert_eq!(m["type"], "error");
        assert_eq!(e["file"], "content/news/x.md");
        assert_eq!(e["line"], 3);
        assert_eq!(e["column"], 7);
        assert_eq!(e["field"], "date");
        assert_eq!(e["source_line"], "date: 2023-13-01");
        assert_eq!(e["help"], "写成 2023-05-12");
        assert_eq!(m["summary"], "1 个错误（涉及 1 个文件）");
    }

    #[test]
    fn closed_pages_leave_the_hub() {
        let hub = Hub::default();
        let a = hub.subscribe();
        let b = hub.subscribe();
        drop(b);
        hub.broadcast("x");
        assert_eq!(hub.len(), 1);
        assert_eq!(&*a.recv().unwrap(), "x");
    }
}
