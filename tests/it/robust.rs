//! Issue 7, broken sites: what the disk can do to a build. Big, many, deep, looping, unreadable
//! and hostile inputs are generated here at test time (not committed); each gives a located
//! diagnostic and exit code 1, or a correct site, and never a panic. A failed build leaves the
//! previous output byte for byte, and nothing is ever written outside the output folder.

use crate::harness::{Site, copy_dir, normalized, scratch};
use std::collections::BTreeMap;
use std::path::Path;

/// Every file below `dir` with its bytes, by `/`-separated relative path.
fn tree(dir: &Path) -> BTreeMap<String, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).unwrap().flatten() {
            let path = entry.path();
            if entry.file_type().unwrap().is_dir() {
                stack.push(path);
            } else {
                let rel = path.strip_prefix(dir).unwrap().to_string_lossy();
                out.insert(rel.replace('\\', "/"), std::fs::read(&path).unwrap());
            }
        }
    }
    out
}

fn news(title: &str) -> String {
    format!("---\ntitle: {title}\ndate: 2023-05-12\n---\n正文\n")
}

#[test]
fn a_failed_build_leaves_every_file_of_the_previous_output_byte_identical() {
    let site = Site::fixture("build/basic");
    site.build();
    let before = tree(&site.root.join("public"));
    assert!(before.len() > 20, "the fixture builds a real site");
    // One breakage from each stage: load, resolve, render.
    let breakages: [(&str, &[u8]); 6] = [
        ("content/news/broken.md", b"---\ntitle: x\n\tdate: 1\n---\n"),
        ("content/news/broken.md", b"---\ntitle: \xd5\xe2\n---\n"),
        ("content/news/broken.md", b"---\ntitle: x\n"),
        (
            "content/news/broken.md",
            "---\ntitle: 坏\ndate: 2022-13-45\n---\n".as_bytes(),
        ),
        (
            "content/lectures/broken.md",
            "---\ntitle: 坏的\nlecturers: [nobody]\ncategory: 安全生产\n---\n".as_bytes(),
        ),
        (
            "content/news/broken.md",
            "---\ntitle: 坏\ndate: 2023-05-12\n---\n![x](../../../../../x.png)\n".as_bytes(),
        ),
    ];
    for (rel, bytes) in breakages {
        let path = site.root.join(rel);
        std::fs::write(&path, bytes).unwrap();
        let run = site.run(&["build"]);
        assert_eq!(run.code, 1, "{rel}: {}", run.stderr);
        assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
        let after = tree(&site.root.join("public"));
        assert_eq!(
            before.keys().collect::<Vec<_>>(),
            after.keys().collect::<Vec<_>>(),
            "same files after {:?}",
            String::from_utf8_lossy(bytes)
        );
        for (name, old) in &before {
            assert!(after[name] == *old, "{name} changed after a failed build");
        }
        std::fs::remove_file(path).unwrap();
    }
    let leftovers: Vec<_> = std::fs::read_dir(&site.root)
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("caidan-"))
        .collect();
    assert!(leftovers.is_empty(), "temporary folders cleaned up");
}

#[test]
fn nothing_is_written_outside_the_output_folder() {
    // The site sits one level down, so anything written beside it would show.
    let outer = scratch("outside");
    let root = outer.join("site");
    copy_dir(
        &Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/build/basic"),
        &root,
    );
    std::fs::copy(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/site.yaml"),
        root.join("site.yaml"),
    )
    .unwrap();
    // Names that would climb out if they became paths as written; these are allowed (tags and
    // regions are names, made safe), so the build succeeds.
    std::fs::write(
        root.join("content/news/escape.md"),
        "---\ntitle: 逃逸\ndate: 2023-05-12\ntags: [\"../../../逃出\", /etc/passwd, \"..\", \"C:\\\\Windows\"]\nregion: \"../..\"\n---\n正文\n",
    )
    .unwrap();
    let sources = tree(&outer);
    let run = crate::harness::caidan(&root, &["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let after = tree(&outer);
    for name in after.keys() {
        assert!(
            sources.contains_key(name) || name.starts_with("site/public/"),
            "written outside the output folder: {name}"
        );
    }
    for (name, bytes) in &sources {
        assert!(after[name] == *bytes, "a source file changed: {name}");
    }
    let public = root.join("public");
    for tag in ["../../../逃出", "/etc/passwd", "..", "C:\\Windows"] {
        let segment = caidan::resolve::urls::term_segment(tag);
        assert!(
            public
                .join("tags")
                .join(&segment)
                .join("index.html")
                .is_file(),
            "{tag} → {segment}"
        );
    }
    // Paths that would climb out are refused before anything is written.
    for (rel, text) in [
        (
            "content/news/slug.md",
            "---\ntitle: x\ndate: 2023-05-12\nslug: ../../../../x\n---\n",
        ),
        (
            "content/about/tpl.md",
            "---\ntitle: x\ntemplate: ../../../../../etc/passwd\n---\n",
        ),
        (
            "content/news/img.md",
            "---\ntitle: x\ndate: 2023-05-12\nimage: ../../../../../../etc/passwd\n---\n",
        ),
    ] {
        std::fs::write(root.join(rel), text).unwrap();
        let before = tree(&outer);
        let run = crate::harness::caidan(&root, &["build"]);
        assert_eq!(run.code, 1, "{rel}: {}", run.stderr);
        assert_eq!(tree(&outer), before, "{rel}: nothing written at all");
        std::fs::remove_file(root.join(rel)).unwrap();
    }
}

#[test]
fn bom_crlf_and_mixed_line_endings_build_correctly() {
    let site = Site::fixture("robust/bom-crlf-mixed");
    let run = site.build();
    assert!(!run.stderr.contains("警告"), "{}", run.stderr);
    for (page, title) in [
        ("news/bom/index.html", "带 BOM 的新闻"),
        ("news/mixed/index.html", "换行混用的新闻"),
    ] {
        let main = site.main(page);
        assert!(main.contains(title), "{main}");
        assert!(main.contains("<p>第一段。</p>"), "{main}");
        assert!(main.contains("<p>第二段。</p>"), "{main}");
        assert!(
            !main.contains('\r') && !main.contains('\u{feff}'),
            "{main:?}"
        );
    }
    assert!(site.exists("tags/班前十分钟/index.html"));
}

#[test]
fn a_50_mb_entry_is_refused_quickly_with_its_limit() {
    let site = Site::empty("big");
    let paragraph = "职工群众可以点单，也可以学习PLC编程。".repeat(40) + "\n\n";
    let mut text = String::from("---\ntitle: 大文件\ndate: 2023-05-12\n---\n");
    while text.len() < 50 * 1024 * 1024 {
        text.push_str(&paragraph);
    }
    site.file("content/news/big.md", &text);
    site.file("content/news/ok.md", &news("正常"));
    let start = std::time::Instant::now();
    let run = site.run(&["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(
        start.elapsed().as_secs() < 20,
        "the big file is not read: {:?}",
        start.elapsed()
    );
    assert!(!site.root.join("public").exists());
    insta::assert_snapshot!(normalized(&run, &site));
}

#[test]
fn ten_thousand_files_in_one_folder_build() {
    let site = Site::empty("ten-thousand");
    let dir = site.root.join("content/about");
    std::fs::create_dir_all(&dir).unwrap();
    for i in 0..10_000 {
        std::fs::write(
            dir.join(format!("p{i:05}.md")),
            format!("---\ntitle: 第{i}页\n---\n正文{i}\n"),
        )
        .unwrap();
    }
    site.build();
    for i in [0, 4_999, 9_999] {
        assert!(
            site.main(&format!("about/p{i:05}/index.html"))
                .contains(&format!("第{i}页"))
        );
    }
    let pages = std::fs::read_dir(site.root.join("public/about"))
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with('p'))
        .count();
    assert!(pages >= 10_000, "{pages}");
}

#[test]
fn sixty_folders_deep_build() {
    let site = Site::empty("deep");
    let deep: Vec<String> = (0..60).map(|i| format!("c{i}")).collect();
    let rel = format!("content/about/{}/x.md", deep.join("/"));
    site.file(&rel, "---\ntitle: 深处的页面\n---\n正文\n");
    site.build();
    let page = format!("about/{}/x/index.html", deep.join("/"));
    assert!(site.main(&page).contains("深处的页面"));
}

#[cfg(unix)]
#[test]
fn a_symlink_loop_is_a_warning_naming_the_link_and_the_site_builds() {
    let site = Site::empty("symlink-loop");
    site.file("content/news/a.md", &news("甲"));
    std::os::unix::fs::symlink("..", site.root.join("content/news/loop")).unwrap();
    std::os::unix::fs::symlink("gone.md", site.root.join("content/news/dangling.md")).unwrap();
    let run = site.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.main("news/a/index.html").contains("甲"));
    let out = normalized(&run, &site);
    assert!(out.contains("content/news/loop"), "{out}");
    assert!(out.contains("content/news/dangling.md"), "{out}");
    insta::assert_snapshot!(
        out.lines()
            .filter(|l| !l.starts_with("已生成"))
            .collect::<Vec<_>>()
            .join("\n")
    );
}

#[cfg(unix)]
#[test]
fn an_unreadable_file_is_an_error_naming_it() {
    use std::os::unix::fs::PermissionsExt;
    let site = Site::empty("unreadable");
    site.file("content/news/a.md", &news("甲"));
    let path = site.root.join("content/news/a.md");
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    // Root reads a file whatever its mode; there the case cannot happen, so only check that
    // the build does not fall over.
    let readable = std::fs::read(&path).is_ok();
    let run = site.run(&["build"]);
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert!(!run.stderr.contains("panicked"), "{}", run.stderr);
    if readable {
        assert_eq!(run.code, 0, "{}", run.stderr);
        return;
    }
    assert_eq!(run.code, 1, "{}", run.stderr);
    let out = normalized(&run, &site);
    assert!(out.contains("没有读取权限：content/news/a.md"), "{out}");
}
