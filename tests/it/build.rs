//! What `caidan build` writes, one behaviour per test.

use crate::harness::{Site, main_of};

#[test]
fn chinese_tag_and_region_names_stay_in_urls() {
    let site = Site::fixture("build/basic");
    site.build();
    assert!(site.exists("tags/班前十分钟/index.html"));
    assert!(site.exists("regions/杭州市萧山区/index.html"));
    let news = site.main("news/xiaoshan-banqian/index.html");
    assert!(news.contains("href=\"/tags/班前十分钟/\""), "{news}");
    let term = site.main("tags/班前十分钟/index.html");
    assert!(
        term.contains("/news/xiaoshan-banqian/") && term.contains("/lectures/banqian-anquan/"),
        "{term}"
    );
}

#[test]
fn soft_break_between_han_characters_is_not_a_space() {
    let site = Site::fixture("build/basic");
    site.build();
    let news = site.main("news/xiaoshan-banqian/index.html");
    assert!(
        news.contains("职工群众可以点单，也可以学习PLC\n编程"),
        "{news}"
    );
}

#[test]
fn news_page_has_kicker_title_subtitle_byline_source_and_lead_image() {
    let site = Site::fixture("build/basic");
    site.build();
    let news = site.main("news/xiaoshan-banqian/index.html");
    for needle in [
        "守好红色根脉",
        "萧山工会“班前十分钟”",
        "产改试点企业卷起新风尚",
        "张记者",
        "潘鑫",
        "浙江工人日报",
        "车间里的微宣讲",
        "/news/xiaoshan-banqian/photo.png",
        "孔胜东",
        "先排品牌",
    ] {
        assert!(news.contains(needle), "missing {needle}:\n{news}");
    }
    let kicker = news.find("守好红色根脉").unwrap();
    let title = news.find("萧山工会“班前十分钟”").unwrap();
    let subtitle = news.find("产改试点企业卷起新风尚").unwrap();
    assert!(kicker < title && title < subtitle);
    assert!(
        site.exists("news/xiaoshan-banqian/photo.png"),
        "bundle image copied beside the page"
    );
}

#[test]
fn fenced_code_is_highlighted_with_classes() {
    let site = Site::fixture("build/basic");
    site.build();
    let news = site.main("news/xiaoshan-banqian/index.html");
    assert!(news.contains("class=\"hl-comment"), "{news}");
}

#[test]
fn lecturer_page_lists_honors_lectures_and_news_about_them() {
    let site = Site::fixture("build/basic");
    site.build();
    let page = site.main("lecturers/kong-shengdong/index.html");
    for needle in [
        "全国劳动模范",
        "杭州工匠",
        "公交车司机",
        "杭州公交集团",
        "杭州市劳模工匠宣讲团",
        "为民服务只有起点",
        "/lectures/banqian-anquan/",
        "/news/xiaoshan-banqian/",
    ] {
        assert!(page.contains(needle), "missing {needle}:\n{page}");
    }
    insta::assert_snapshot!(page);
}

#[test]
fn lecture_page_and_menu_show_the_talk_with_its_order_link() {
    let site = Site::fixture("build/basic");
    site.build();
    let page = site.main("lectures/banqian-anquan/index.html");
    for needle in [
        "班前十分钟：安全行车",
        "10分钟",
        "车间班组",
        "讲座",
        "孔胜东",
        "https://example.org/order?lectures=banqian-anquan",
        "行车前检查",
    ] {
        assert!(page.contains(needle), "missing {needle}:\n{page}");
    }
    let menu = site.main("lectures/index.html");
    let safety = menu.find("安全生产").expect("category heading");
    assert!(
        menu[safety..].contains("/lectures/banqian-anquan/"),
        "{menu}"
    );
    assert!(
        site.main("lectures/categories/安全生产/index.html")
            .contains("/lectures/banqian-anquan/")
    );
    insta::assert_snapshot!(page);
}

#[test]
fn matrix_grid_has_rows_in_order_and_brands_by_weight() {
    let site = Site::fixture("build/basic");
    site.build();
    let grid = site.main("brands/ceshi/index.html");
    let pos = |s: &str| {
        grid.find(s)
            .unwrap_or_else(|| panic!("missing {s}:\n{grid}"))
    };
    assert!(pos("思想引领体系") < pos("建功立业体系"));
    assert!(pos("先排品牌") < pos("后排品牌"));
    assert!(pos("后排品牌") < pos("第二体系品牌"));
    let brand = site.main("brands/ceshi/a-first/index.html");
    assert!(
        brand.contains("/news/xiaoshan-banqian/"),
        "brand page lists the news that mention it:\n{brand}"
    );
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let site = Site::fixture("build/basic");
    site.build();
    assert!(!site.exists("news/caogao/index.html"));
    assert!(!site.read("sitemap.xml").contains("caogao"));
    assert!(!site.read("atom.xml").contains("还没写完的草稿"));
    let run = site.run(&["build", "--drafts"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(site.exists("news/caogao/index.html"));
}

#[test]
fn sub_path_base_url_prefixes_every_link() {
    let site = Site::fixture("build/basic");
    let run = site.run(&["build", "--base-url", "https://host.example/gonghui/"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let html = site.read("news/xiaoshan-banqian/index.html");
    assert!(
        html.contains("href=\"/gonghui/tags/班前十分钟/\""),
        "{html}"
    );
    assert!(html.contains("/gonghui/news/xiaoshan-banqian/photo.png"));
    assert!(
        html.contains("content=\"https://host.example/gonghui/news/xiaoshan-banqian/\""),
        "og:url is absolute"
    );
    for (i, _) in html.match_indices("href=\"/") {
        let rest = &html[i + 6..];
        assert!(
            rest.starts_with("/gonghui/"),
            "root link without the sub-path: {}",
            &rest[..rest.find('"').unwrap_or(40).min(60)]
        );
    }
    assert!(
        site.read("sitemap.xml")
            .contains("https://host.example/gonghui/")
    );
}

#[test]
fn pages_are_chinese_with_absolute_share_meta_and_the_icp_number() {
    let site = Site::fixture("build/basic");
    site.build();
    let html = site.read("lecturers/kong-shengdong/index.html");
    assert!(html.contains("<html lang=\"zh-CN\""), "{html}");
    assert!(
        html.contains("og:image")
            && html.contains("https://example.org/lecturers/kong-shengdong/photo.png"),
        "{html}"
    );
    assert!(html.contains("浙ICP备00000000号"));
    // A news item is described by the start of its running text (soft breaks between Han
    // characters joined), for search engines and share cards alike.
    let news = site.read("news/xiaoshan-banqian/index.html");
    for meta in ["name=\"description\"", "property=\"og:description\""] {
        assert!(
            news.contains(&format!(
                "<meta {meta} content=\"职工群众可以点单，也可以学习PLC 编程。\">"
            )),
            "{meta}: {news}"
        );
    }
    assert!(
        !html.contains("http://") || !html.contains("<script src=\"http"),
        "no external scripts"
    );
    assert!(
        !html.contains("fonts.googleapis") && !html.contains("cdn"),
        "no CDN"
    );
}

#[test]
fn news_list_is_paginated() {
    let site = Site::empty("pagination");
    for i in 1..=25 {
        site.file(
            &format!("content/news/n{i:02}.md"),
            &format!("---\ntitle: 新闻{i}\ndate: 2023-01-{i:02}\n---\n正文\n"),
        );
    }
    site.build();
    assert!(site.exists("news/page/3/index.html"));
    assert!(!site.exists("news/page/4/index.html"));
    let first = site.main("news/index.html");
    assert!(
        first.contains("新闻25") && !first.contains("新闻15"),
        "newest first, 10 a page:\n{first}"
    );
    assert!(
        site.main("news/page/3/index.html").contains("新闻1<")
            || site.main("news/page/3/index.html").contains("新闻1\n")
    );
}

#[test]
fn a_pager_links_the_ends_and_the_pages_near_the_current_one() {
    let site = Site::empty("pager");
    for i in 1..=120 {
        site.file(
            &format!("content/news/n{i:03}.md"),
            &format!("---\ntitle: 新闻{i}\ndate: 2023-01-01\n---\n正文\n"),
        );
    }
    site.build();
    assert!(site.exists("news/page/12/index.html"));
    let html = site.read("news/page/6/index.html");
    let pager = &html[html.find("class=\"pager\"").expect("a pager")..];
    let pager = &pager[..pager.find("</nav>").unwrap()];
    let linked: Vec<usize> = (1..=12)
        .filter(|n| {
            let url = if *n == 1 {
                "/news/\"".to_string()
            } else {
                format!("/news/page/{n}/\"")
            };
            pager.contains(&url)
        })
        .collect();
    // 5 and 7 are also the previous and next links.
    assert_eq!(linked, [1, 4, 5, 6, 7, 8, 12], "{pager}");
    assert_eq!(pager.matches("pager-gap").count(), 2, "{pager}");
    assert!(pager.contains("第 6 / 12 页，共 120 条"), "{pager}");
}

#[test]
fn feeds_sitemap_robots_and_catalogs() {
    let site = Site::fixture("build/basic");
    site.build();
    let atom = site.read("atom.xml");
    assert!(
        atom.contains("<title>萧山工会“班前十分钟”</title>")
            && atom.contains("2023-05-12T09:30:00+08:00"),
        "{atom}"
    );
    assert!(
        site.read("sitemap.xml")
            .contains("https://example.org/tags/%E7%8F%AD%E5%89%8D%E5%8D%81%E5%88%86%E9%92%9F/")
    );
    assert!(
        site.read("robots.txt")
            .contains("Sitemap: https://example.org/sitemap.xml")
    );
    let lectures: serde_json::Value = serde_json::from_str(&site.read("lectures.json")).unwrap();
    assert_eq!(lectures["count"], 1);
    assert_eq!(
        lectures["items"][0]["order_url"],
        "https://example.org/order?lectures=banqian-anquan"
    );
    let lecturers: serde_json::Value = serde_json::from_str(&site.read("lecturers.json")).unwrap();
    assert_eq!(lecturers["items"][0]["name"], "孔胜东");
    assert!(site.exists("404.html") && site.exists("favicon.svg"));
    assert!(
        site.read("lectures/categories/index.html")
            .contains("url=/lectures/"),
        "the bare categories folder sends readers to the menu"
    );
}

// A failed build leaving the previous output byte for byte: `robust.rs`.

/// Every output file and its bytes.
fn snapshot(dir: &std::path::Path) -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<_> = walkdir::WalkDir::new(dir)
        .into_iter()
        .flatten()
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().display().to_string();
            (rel, std::fs::read(e.path()).unwrap())
        })
        .collect();
    files.sort();
    files
}

#[test]
fn an_unchanged_site_is_not_built_again_but_any_change_is() {
    let site = Site::fixture("build/basic");
    site.build();
    let first = snapshot(&site.root.join("public"));
    let again = site.build();
    assert!(again.stderr.contains("没有变化"), "{}", again.stderr);
    assert_eq!(
        snapshot(&site.root.join("public")),
        first,
        "the output is as it was"
    );

    // An edit to content is built.
    let item = site.root.join("content/news/xiaoshan-banqian/index.md");
    let text = std::fs::read_to_string(&item).unwrap();
    std::fs::write(&item, text.replace("subtitle:", "subtitle: 改过的副题")).unwrap();
    let edited = site.build();
    assert!(!edited.stderr.contains("没有变化"), "{}", edited.stderr);
    assert!(
        site.read("news/xiaoshan-banqian/index.html")
            .contains("改过的副题")
    );

    // So is a hand edit to the output, which the build puts right.
    site.build();
    let index = site.root.join("public/index.html");
    let good = std::fs::read(&index).unwrap();
    std::fs::write(&index, "改坏了").unwrap();
    let repaired = site.build();
    assert!(!repaired.stderr.contains("没有变化"), "{}", repaired.stderr);
    assert_eq!(std::fs::read(&index).unwrap(), good);
}

#[test]
fn a_site_template_overrides_the_theme_one() {
    let site = Site::fixture("build/basic");
    site.file("templates/page.html", "{% extends \"base.html\" %}{% block main %}<main id=\"main\">自定义：{{ page.title }}</main>{% endblock main %}");
    let run = site.run(&["build"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert!(
        site.read("about/guide/index.html")
            .contains("自定义：编写指南")
    );
}

#[test]
fn rendered_main_of_a_news_item() {
    let site = Site::fixture("build/basic");
    site.build();
    insta::assert_snapshot!(main_of(&site.read("news/xiaoshan-banqian/index.html")));
}

/// Issue 3: the menu's cards carry what the filters read, and the facets count it.
#[test]
fn menu_cards_carry_filter_data_and_facets_count_it() {
    let site = Site::fixture("menu/basic");
    site.build();
    let menu = site.main("lectures/index.html");
    let card = |slug: &str| {
        let start = menu
            .find(&format!("data-lecture=\"{slug}\""))
            .unwrap_or_else(|| panic!("no card for {slug}:\n{menu}"));
        let end = menu[start..].find("</article>").unwrap() + start;
        menu[start..end].to_string()
    };
    let banqian = card("banqian");
    for needle in [
        "data-cat=\"安全生产\"",
        "data-aud=\"车间班组\"",
        "data-dur=\"short\"",
        "data-region=\"杭州市\"",
        "data-honor=\"全国\"",
        "data-names=\"孔胜东\"",
        "data-add=\"banqian\"",
    ] {
        assert!(banqian.contains(needle), "missing {needle}:\n{banqian}");
    }
    // Two lecturers: the better honor counts; no regions means anywhere.
    let dianqi = card("dianqi");
    for needle in [
        "data-honor=\"省\"",
        "data-dur=\"mid\"",
        "data-region=\"\"",
        "data-names=\"孟伟|安师傅\"",
    ] {
        assert!(dianqi.contains(needle), "missing {needle}:\n{dianqi}");
    }
    // An unavailable lecture cannot be added, and says why.
    let laomo = card("laomo");
    assert!(laomo.contains("data-dur=\"long\""), "{laomo}");
    assert!(!laomo.contains("data-add"), "{laomo}");
    assert!(laomo.contains("本月档期已满"), "{laomo}");
    // The lecture that can be given anywhere counts for every region.
    assert!(
        menu.contains("value=\"杭州市\">杭州市<span class=\"count\" data-count>2</span>"),
        "{menu}"
    );
    assert!(
        menu.contains("value=\"安全生产\">安全生产<span class=\"count\" data-count>2</span>"),
        "{menu}"
    );
}

/// Issue 3: QR codes made at build time, inline on the pages and as files beside them.
#[test]
fn qr_codes_are_inline_on_lecture_and_lecturer_pages_and_files_beside_them() {
    let site = Site::fixture("menu/basic");
    site.build();
    let qr = site.read("lectures/banqian/qr.svg");
    assert!(
        qr.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""),
        "{qr}"
    );
    assert!(qr.contains("aria-label=\"点单二维码：班前十分钟：安全行车\""));
    // Not orderable: the code opens the lecture's page instead of the form.
    assert!(
        site.read("lectures/laomo/qr.svg")
            .contains("aria-label=\"二维码：劳模就在身边\"")
    );
    assert!(
        site.read("lecturers/kong/qr.svg")
            .contains("aria-label=\"二维码：孔胜东的介绍页\"")
    );
    let page = site.main("lectures/banqian/index.html");
    assert!(page.contains("<svg class=\"qr\""), "{page}");
    assert!(page.contains("role=\"img\""), "{page}");
    assert!(
        site.main("lecturers/kong/index.html")
            .contains("<svg class=\"qr\"")
    );
}

/// Issue 3: the printable menu has every lecture, its QR code and the booking contacts.
#[test]
fn print_view_lists_every_lecture_with_its_qr_and_the_booking_contacts() {
    let site = Site::fixture("menu/basic");
    site.build();
    let print = site.main("lectures/print/index.html");
    for needle in [
        "班前十分钟：安全行车",
        "电气安全",
        "劳模就在身边",
        "src=\"/lectures/banqian/qr.svg\"",
        "src=\"/lectures/laomo/qr.svg\"",
        "0571-00000000",
        "xuanjiang@example.org",
        "扫码点单",
        "扫码看详情",
        "本月档期已满",
    ] {
        assert!(print.contains(needle), "missing {needle}:\n{print}");
    }
    // Grouped by category in site order: 劳模精神 comes before 安全生产.
    assert!(
        print.find("劳模就在身边") < print.find("电气安全"),
        "{print}"
    );
}

/// Issue 3: the 点单篮 page carries every lecture and the booking channels, no extra request.
#[test]
fn basket_page_embeds_every_lecture_and_the_booking_channels() {
    let site = Site::fixture("menu/basic");
    site.build();
    let html = site.read("lectures/basket/index.html");
    let start = html
        .find("<script type=\"application/json\" id=\"basket-data\">")
        .expect("basket data")
        + "<script type=\"application/json\" id=\"basket-data\">".len();
    let end = html[start..].find("</script>").unwrap() + start;
    let data: serde_json::Value = serde_json::from_str(&html[start..end]).unwrap();
    assert_eq!(data["form_prefix"], "https://example.org/order?lectures=");
    assert_eq!(data["booking"]["fields"][0], "单位名称");
    assert_eq!(data["lectures"]["dianqi"]["lecturers"], "孟伟、安师傅");
    assert_eq!(data["lectures"]["banqian"]["available"], true);
    assert_eq!(data["lectures"]["laomo"]["available"], false);
    assert!(
        data["lectures"]["laomo"]["availability"]
            .as_str()
            .unwrap()
            .contains("本月档期已满")
    );
    for field in ["单位名称", "联系人", "电话"] {
        assert!(html.contains(&format!("data-field=\"{field}\"")), "{field}");
    }
}

/// Issue 3: the lecturer directory is ordered by honor level, then name, with filter data.
#[test]
fn lecturer_directory_is_ordered_by_honor_then_name() {
    let site = Site::fixture("menu/basic");
    site.build();
    let list = site.main("lecturers/index.html");
    let pos = |slug: &str| {
        list.find(&format!("data-lecturer=\"{slug}\""))
            .unwrap_or_else(|| panic!("no {slug}:\n{list}"))
    };
    assert!(pos("kong") < pos("meng"), "全国 before 省");
    assert!(pos("meng") < pos("yu"), "省 before 市");
    assert!(pos("yu") < pos("an"), "市 before no honor");
    assert!(
        list.contains("data-team=\"杭州市劳模工匠宣讲团\""),
        "{list}"
    );
    assert!(list.contains("name=\"honor\" value=\"全国\""), "{list}");
}

#[test]
fn bodies_read_again_for_their_pages_give_the_same_site() {
    // A very large site renders each body again for its page, from its file read again
    // (`load::again`); the environment forces either way on a small one.
    let site = Site::fixture("build/basic");
    // A bundle: its image's address depends on where the body is rendered from.
    site.file(
        "content/news/bundle/index.md",
        "---\ntitle: 图片新闻\ndate: 2023-05-01\n---\n![车间](shop.png)\n\n正文。\n",
    )
    .file("content/news/bundle/shop.png", "png");
    let build = |again: &str, out: &str| {
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_caidan"))
            .args(["build", "--root"])
            .arg(&site.root)
            .arg("--output-dir")
            .arg(site.root.join(out))
            .env("CAIDAN_READ_AGAIN", again)
            .output()
            .expect("run caidan");
        assert!(
            run.status.success(),
            "{}",
            String::from_utf8_lossy(&run.stderr)
        );
        let mut files = snapshot(&site.root.join(out));
        files.retain(|(path, _)| !path.starts_with(".caidan"));
        files
    };
    let held = build("0", "held");
    let again = build("1", "again");
    let (_, page) = (held.iter())
        .find(|(p, _)| p == "news/bundle/index.html")
        .expect("the bundle's page");
    assert!(String::from_utf8_lossy(page).contains("src=\"/news/bundle/shop.png\""));
    assert_eq!(held.len(), again.len());
    for ((path, x), (_, y)) in held.iter().zip(&again) {
        assert!(x == y, "{path} differs when its body is read again");
    }
}

#[test]
fn a_body_read_again_reports_its_problems_where_they_are_written() {
    // Read again, the loader kept only the front matter: a body's problem must still point at
    // its line in the whole file, as when the Markdown is held.
    let site = Site::fixture("build/basic");
    site.file(
        "content/news/broken.md",
        "---\ntitle: 缺图的新闻\ndate: 2023-05-02\n---\n\n第一段。\n\n![不存在](missing.png)\n",
    );
    let build = |again: &str| {
        let run = std::process::Command::new(env!("CARGO_BIN_EXE_caidan"))
            .args(["build", "--root"])
            .arg(&site.root)
            .env("CAIDAN_READ_AGAIN", again)
            .output()
            .expect("run caidan");
        assert!(!run.status.success(), "a missing image fails the build");
        String::from_utf8_lossy(&run.stderr).into_owned()
    };
    let (held, again) = (build("0"), build("1"));
    assert!(held.contains("content/news/broken.md:8:"), "{held}");
    assert!(held.contains("![不存在](missing.png)"), "{held}");
    assert_eq!(held, again);
}

#[test]
fn a_build_writes_what_generate_makes_in_memory() {
    // `build` lets go of the entries' Markdown once their bodies are rendered; `generate`
    // keeps it. Nothing after that point may read it: the pages would come out different.
    let site = Site::fixture("build/basic");
    site.build();
    let options = caidan::build::Options {
        root: site.root.clone(),
        ..Default::default()
    };
    let (generated, _) = caidan::build::generate(&options).expect("the fixture builds");
    let written: std::collections::BTreeMap<String, Vec<u8>> =
        snapshot(&site.root.join("public")).into_iter().collect();
    assert!(generated.output.files.len() > 10);
    for file in &generated.output.files {
        let on_disk = written
            .get(&file.path)
            .unwrap_or_else(|| panic!("{} not written", file.path));
        assert!(on_disk == &file.bytes, "{} differs", file.path);
    }
}
