//! The commands around build: init, new, exit codes, and where output may go.

use crate::harness::{Site, caidan, scratch};

#[test]
fn init_makes_a_site_that_builds_with_the_built_in_theme() {
    let dir = scratch("init");
    let run = caidan(&dir, &["init", dir.to_str().unwrap()]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let build = caidan(&dir, &["build"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    assert!(
        dir.join("public/lectures/example-lecture/index.html")
            .exists()
    );
    assert!(
        dir.join("public/style.css").exists(),
        "the embedded theme's static files are written"
    );
    let again = caidan(&dir, &["init", dir.to_str().unwrap()]);
    assert_eq!(again.code, 2, "init never overwrites a site");
}

#[test]
fn new_scaffolds_every_kind_with_every_field_and_they_build() {
    let dir = scratch("new");
    assert_eq!(caidan(&dir, &["init", dir.to_str().unwrap()]).code, 0);
    for (kind, slug) in [
        ("news", "banqian"),
        ("lecturer", "ge-xiaoqing"),
        ("lecture", "gongjiang"),
        ("brand", "example/gongzihao"),
        ("page", "about/guide"),
    ] {
        let run = caidan(&dir, &["new", kind, slug]);
        assert_eq!(run.code, 0, "new {kind}: {}", run.stderr);
    }
    let lecturer = std::fs::read_to_string(dir.join("content/lecturers/ge-xiaoqing.md")).unwrap();
    for field in [
        "name:",
        "honors:",
        "occupation:",
        "org:",
        "region:",
        "team:",
        "quote:",
        "photo:",
        "video:",
        "available:",
        "availability:",
    ] {
        assert!(lecturer.contains(field), "scaffold lacks {field}");
    }
    let news = std::fs::read_to_string(dir.join("content/news/banqian.md")).unwrap();
    for field in [
        "title:",
        "kicker:",
        "subtitle:",
        "date:",
        "source:",
        "reporters:",
        "correspondents:",
        "region:",
        "tags:",
        "lecturers:",
        "brands:",
        "image:",
        "draft:",
    ] {
        assert!(news.contains(field), "scaffold lacks {field}");
    }
    let build = caidan(&dir, &["build"]);
    assert_eq!(build.code, 0, "{}", build.stderr);
    assert_eq!(
        caidan(&dir, &["new", "news", "banqian"]).code,
        2,
        "new never overwrites"
    );
    assert_eq!(
        caidan(&dir, &["new", "news", "a b"]).code,
        2,
        "a slug with a space is refused"
    );
}

#[test]
fn exit_codes_distinguish_usage_from_site_errors() {
    let site = Site::fixture("errors/missing-field");
    assert_eq!(site.run(&["check"]).code, 1);
    assert_eq!(site.run(&["build", "--no-such-flag"]).code, 2);
    let empty = scratch("no-site");
    let run = caidan(&empty, &["build"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("site.yaml"), "{}", run.stderr);
}

#[test]
fn output_dir_may_not_replace_the_site() {
    let site = Site::fixture("build/basic");
    let root = site.root.to_str().unwrap().to_string();
    for bad in [root.clone(), format!("{root}/content")] {
        let run = site.run(&["build", "--output-dir", &bad]);
        assert_ne!(run.code, 0, "{bad}");
        assert!(
            site.root
                .join("content/lectures/banqian-anquan.md")
                .exists(),
            "content survived"
        );
    }
    let out = format!("{root}/elsewhere/out");
    assert_eq!(site.run(&["build", "--output-dir", &out]).code, 0);
    assert!(site.root.join("elsewhere/out/index.html").exists());
}
