//! Every mistake an editor can make, as the exact text `caidan check` prints for it.

use crate::harness::{Site, normalized};

/// Runs `check` on an error fixture: it must fail with exit code 1 and print the snapshot.
fn check(case: &str) -> String {
    let site = Site::fixture(&format!("errors/{case}"));
    let run = site.run(&["check"]);
    assert_eq!(run.code, 1, "check should fail for {case}:\n{}", run.stderr);
    normalized(&run, &site)
}

#[test]
fn yaml_syntax_error_line_is_right_with_bom_crlf_and_blank_lines() {
    let out = check("yaml-syntax-bom-crlf");
    // The list left open on line 6 (after the BOM, two blank lines and the fence) is named.
    assert!(out.contains("content/news/a.md:6:7"), "{out}");
    assert!(out.contains("没有对应的 ]"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn missing_required_field_names_the_field_and_an_example() {
    insta::assert_snapshot!(check("missing-field"));
}

#[test]
fn wrong_type_points_at_the_value() {
    insta::assert_snapshot!(check("wrong-type"));
}

#[test]
fn unknown_category_suggests_the_closest() {
    let out = check("unknown-category");
    assert!(out.contains("content/lectures/gongjiang.md:4:11"), "{out}");
    assert!(out.contains("是不是想写“工匠精神”"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn brand_row_must_be_one_of_its_matrix_rows() {
    insta::assert_snapshot!(check("row-not-in-matrix"));
}

#[test]
fn ref_to_nothing_says_did_you_mean() {
    let out = check("ref-to-nothing");
    assert!(out.contains("是不是想写 kong-shengdong"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn duplicate_slug_names_both_files() {
    insta::assert_snapshot!(check("duplicate-slug"));
}

#[test]
fn duplicate_url_names_the_owner() {
    insta::assert_snapshot!(check("duplicate-url"));
}

#[test]
fn missing_image_suggests_the_file_that_is_there() {
    let out = check("missing-image");
    assert!(out.contains("phto.png"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn missing_image_in_the_body_is_located_at_its_line() {
    let out = check("missing-body-image");
    assert!(out.contains("content/news/a/index.md:8:1"), "{out}");
    assert!(out.contains("chejian.jpg"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn unknown_template_lists_the_theme_templates() {
    let out = check("unknown-template");
    assert!(out.contains("lecture-menu.html"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn template_mistakes_point_into_the_template_file() {
    let out = check("template-error");
    assert!(out.contains("templates/page.html:3:33"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn bad_date_explains_the_format() {
    insta::assert_snapshot!(check("bad-date"));
}

#[test]
fn file_without_front_matter() {
    insta::assert_snapshot!(check("no-front-matter"));
}

#[test]
fn bad_site_yaml_reports_every_field() {
    insta::assert_snapshot!(check("bad-site-yaml"));
}

#[test]
fn check_reports_every_bad_file_in_one_run() {
    let out = check("many-files");
    for needle in [
        "content/news/a.md",
        "content/news/b.md",
        "content/lectures/c.md",
        "个错误",
    ] {
        assert!(out.contains(needle), "missing {needle} in:\n{out}");
    }
    insta::assert_snapshot!(out);
}

#[test]
fn unknown_field_is_a_warning_with_a_suggestion() {
    let site = Site::fixture("errors/unknown-field");
    let run = site.run(&["check"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(run.stderr.contains("是不是想写 `title`"), "{}", run.stderr);
    insta::assert_snapshot!(normalized(&run, &site));
}

#[test]
fn count_mismatch_is_a_warning_not_an_error() {
    let site = Site::fixture("errors/count-mismatch");
    let run = site.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        run.stderr
            .contains("矩阵写明有 3 个品牌，文件夹里实际有 1 个"),
        "{}",
        run.stderr
    );
}
