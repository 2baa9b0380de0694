//! The example site in the repository doubles as the smoke test: check and build are clean.

use crate::harness::{caidan, scratch};
use std::path::Path;

#[test]
fn example_site_checks_and_builds_without_errors() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let check = caidan(root, &["check"]);
    assert_eq!(check.code, 0, "{}", check.stderr);
    assert!(!check.stderr.contains("错误"), "{}", check.stderr);
    let out = scratch("example").join("public");
    let build = caidan(root, &["build", "--output-dir", out.to_str().unwrap()]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    for page in [
        "index.html",
        "lectures/index.html",
        "lecturers/kong-shengdong/index.html",
        "brands/zheneng/index.html",
        "about/guide/index.html",
        "tags/班前十分钟/index.html",
    ] {
        assert!(out.join(page).exists(), "{page}");
    }
    // The editor's guide documents every command.
    let guide = std::fs::read_to_string(out.join("about/guide/index.html")).unwrap();
    for cmd in ["caidan new", "caidan serve", "caidan check", "caidan build"] {
        assert!(guide.contains(cmd), "guide lacks {cmd}");
    }
}
