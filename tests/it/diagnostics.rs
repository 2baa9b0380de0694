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
    let out = check("bad-date");
    // Issue 7: `2022-13-45` says that month 13 does not exist.
    assert!(out.contains("没有 13 月"), "{out}");
    insta::assert_snapshot!(out);
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

// Issue 7, broken sites: every slip an editor makes in a file's text is located and explained.

#[test]
fn tab_in_yaml_indentation_points_at_the_tab() {
    let out = check("yaml-tab-indent");
    assert!(out.contains("content/news/a/index.md:5:1"), "{out}");
    assert!(out.contains("Tab"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn unclosed_quote_points_at_the_opening_quote() {
    let out = check("yaml-unclosed-quote");
    assert!(out.contains("content/news/a.md:2:8"), "{out}");
    assert!(out.contains("没有对应的结束引号"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn duplicate_key_names_both_lines() {
    let out = check("yaml-duplicate-key");
    assert!(out.contains("content/news/a.md:5:1"), "{out}");
    assert!(out.contains("第 2 行和第 5 行"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn unclosed_fence_points_at_the_opening_one() {
    let out = check("unclosed-fence");
    assert!(out.contains("content/news/a.md:1:1"), "{out}");
    assert!(out.contains("没有结束的 ---"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn front_matter_that_is_a_list_is_one_clear_error() {
    let out = check("front-matter-list");
    assert!(out.contains("这里却是列表"), "{out}");
    assert!(
        !out.contains("缺少必填字段"),
        "no follow-on errors about missing fields:\n{out}"
    );
    insta::assert_snapshot!(out);
}

#[test]
fn front_matter_that_is_one_line_of_text_is_one_clear_error() {
    let out = check("front-matter-text");
    assert!(out.contains("这里却是文字"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn chinese_colon_is_pointed_at() {
    let out = check("chinese-colon");
    assert!(out.contains("content/news/a.md:3:5"), "{out}");
    assert!(out.contains("中文冒号"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn file_that_is_not_utf8_is_located_and_suggests_saving_as_utf8() {
    let out = check("not-utf8");
    assert!(out.contains("content/news/a.md:2:8"), "{out}");
    assert!(out.contains("GBK") && out.contains("UTF-8"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn empty_file_is_named() {
    let out = check("empty-file");
    assert!(out.contains("文件是空的"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn mixed_line_endings_keep_line_numbers_right() {
    let out = check("mixed-line-endings");
    assert!(out.contains("content/news/a.md:4:7"), "{out}");
    assert!(out.contains("2 月没有 30 日"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn slug_that_is_a_path_is_refused() {
    let out = check("slug-outside");
    assert!(out.contains("content/news/a.md:4:7"), "{out}");
    assert!(out.contains("content/news/b.md:4:7"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn template_that_is_a_path_is_refused() {
    let out = check("template-outside");
    assert!(out.contains("content/about/a.md:3:11"), "{out}");
    assert!(out.contains("content/about/b.md:3:11"), "{out}");
    insta::assert_snapshot!(out);
}

#[test]
fn image_paths_that_leave_the_site_or_name_this_computer_are_refused() {
    let out = check("image-outside");
    for needle in [
        "content/news/a.md:4:8",
        "content/news/b/index.md:5:8",
        "content/lecturers/c.md:3:8",
        "电脑上的文件位置",
    ] {
        assert!(out.contains(needle), "missing {needle} in:\n{out}");
    }
    insta::assert_snapshot!(out);
}

#[test]
fn body_image_that_leaves_the_site_is_refused_at_its_line() {
    let out = check("body-image-outside");
    assert!(out.contains("content/news/a.md:7:1"), "{out}");
    insta::assert_snapshot!(out);
}
