//! `site.yaml` → [`Config`]: validated, with defaults applied.

use crate::diagnostics::{Diagnostics, Source, io_error};
use crate::load::yaml;
use crate::resolve::fields::Fields;
use std::path::Path;

/// The eight categories of the content model, used when site.yaml names none.
pub const DEFAULT_CATEGORIES: [&str; 8] = [
    "劳模精神",
    "工匠精神",
    "劳动精神",
    "技能培训",
    "安全生产",
    "社会服务",
    "理论宣讲",
    "法律维权",
];

const FIELDS: &[&str] = &[
    "title",
    "description",
    "base_url",
    "language",
    "theme",
    "icp",
    "share_image",
    "paginate_by",
    "lecture_categories",
    "booking",
    "unsafe_html",
];
const BOOKING_FIELDS: &[&str] = &["email", "phone", "form_url", "fields"];

#[derive(Clone, Debug)]
pub struct Config {
    pub title: String,
    pub description: Option<String>,
    /// Always ends with `/`.
    pub base_url: String,
    /// The path part of `base_url`: `/` or `/gonghui/`.
    pub base_path: String,
    pub language: String,
    pub theme: String,
    pub icp: Option<String>,
    /// Relative to the output root (a file from `static/`).
    pub share_image: Option<String>,
    pub paginate_by: usize,
    pub lecture_categories: Vec<String>,
    pub booking: Option<Booking>,
    /// Raw HTML in Markdown passes through (`unsafe_html: true`); by default it is shown as text,
    /// since anyone who can edit a page could otherwise run script on every reader's browser.
    pub unsafe_html: bool,
    /// The file itself, for diagnostics that point into it.
    pub source: Source,
}

#[derive(Clone, Debug, Default, serde::Serialize)]
pub struct Booking {
    pub email: Option<String>,
    pub phone: Option<String>,
    pub form_url: Option<String>,
    pub fields: Vec<String>,
}

/// What the command line may override.
#[derive(Clone, Debug, Default)]
pub struct Overrides {
    pub base_url: Option<String>,
}

/// Reads and validates `site.yaml` in `root`.
pub fn load(root: &Path, overrides: &Overrides) -> Result<(Config, Diagnostics), Diagnostics> {
    let path = root.join("site.yaml");
    let bytes = std::fs::read(&path).map_err(|e| {
        let mut d = io_error("读取站点配置", &path, &e);
        if e.kind() == std::io::ErrorKind::NotFound {
            d = d.help("在站点根目录运行，或用 --root 指定站点目录；新建站点可运行 `caidan init`");
        }
        Diagnostics::from(d)
    })?;
    let text = String::from_utf8(bytes)
        .map_err(|e| Diagnostics::from(crate::load::not_utf8("site.yaml".into(), &e)))?;
    let source = Source::new("site.yaml", text);
    let bom = if source.text.starts_with('\u{feff}') {
        3
    } else {
        0
    };
    let node = yaml::parse(&source.text[bom..], bom).map_err(|e| {
        let block = bom..source.text.len();
        Diagnostics::from(crate::load::explain_yaml_error(
            &source,
            block,
            &e,
            "site.yaml",
        ))
    })?;
    let mut diagnostics = Diagnostics::new();
    let config = from_node(&source, &node, overrides, &mut diagnostics);
    match config {
        Some(config) if !diagnostics.has_errors() => Ok((config, diagnostics)),
        _ => Err(diagnostics),
    }
}

fn from_node(
    source: &Source,
    node: &yaml::Node,
    overrides: &Overrides,
    diagnostics: &mut Diagnostics,
) -> Option<Config> {
    let mut f = Fields::new(source, node, 0..0, FIELDS, diagnostics);
    let title = f.required_text("title", "站点名称", "title: 浙江工会宣讲与品牌");
    let description = f.text("description").map(|t| t.value);
    let base_url = match &overrides.base_url {
        Some(url) => Some(url.clone()),
        None => f
            .required_text(
                "base_url",
                "网站发布后的地址",
                "base_url: https://example.org/",
            )
            .map(|l| {
                if !(l.value.starts_with("http://") || l.value.starts_with("https://")) {
                    f.error_at(
                        "base_url",
                        l.span.clone(),
                        "`base_url` 应该是以 http:// 或 https:// 开头的完整网址".into(),
                        "不是完整网址",
                        Some("例如 https://example.org/ 或 https://example.org/gonghui/".into()),
                    );
                } else if !plain_base_url(&l.value) {
                    // The sub-path goes into every link and script address of every page.
                    f.error_at(
                        "base_url",
                        l.span.clone(),
                        "`base_url` 里有网址不能直接包含的字符".into(),
                        "有空格、引号、尖括号、反斜杠或 //",
                        Some("例如 https://example.org/ 或 https://example.org/gonghui/".into()),
                    );
                }
                l.value
            }),
    };
    let language = f
        .text("language")
        .map_or_else(|| "zh-CN".to_string(), |t| t.value);
    let theme = f
        .text("theme")
        .map_or_else(|| "default".to_string(), |t| t.value);
    let icp = f.text("icp").map(|t| t.value);
    let share_image = f
        .text("share_image")
        .map(|t| t.value.trim_start_matches('/').to_string());
    let paginate_by = match f.int("paginate_by") {
        Some(n) if n.value >= 1 => n.value as usize,
        Some(n) => {
            f.error_at(
                "paginate_by",
                n.span,
                "`paginate_by` 应该是大于 0 的整数".into(),
                "应大于 0",
                None,
            );
            20
        }
        None => 20,
    };
    let mut lecture_categories: Vec<String> = f
        .text_list("lecture_categories")
        .into_iter()
        .map(|l| l.value)
        .collect();
    if lecture_categories.is_empty() {
        lecture_categories = DEFAULT_CATEGORIES
            .iter()
            .map(|s| (*s).to_string())
            .collect();
    }
    lecture_categories.dedup();
    let booking = f.node("booking").map(|node| {
        let mut b = f.nested("booking", node, BOOKING_FIELDS);
        let booking = Booking {
            email: b.text("email").map(|t| t.value),
            phone: b.text("phone").map(|t| t.value),
            form_url: b.link("form_url").map(|t| t.value),
            fields: b.text_list("fields").into_iter().map(|t| t.value).collect(),
        };
        b.finish();
        booking
    });
    let unsafe_html = f.bool("unsafe_html").unwrap_or(false);
    f.finish();
    let (base_url, base_path) = normalize_base_url(&base_url?);
    Some(Config {
        title: title?.value,
        description,
        base_url,
        base_path,
        language,
        theme,
        icp,
        share_image,
        paginate_by,
        lecture_categories,
        booking,
        unsafe_html,
        source: source.clone(),
    })
}

/// No character that would end an HTML attribute or a URL, and a path that cannot be read as
/// another host (`https://a.org//evil.org/` would make `/` + `/evil.org/` a foreign address).
fn plain_base_url(url: &str) -> bool {
    let path = url.split_once("://").map_or("", |(_, rest)| rest);
    !url.chars()
        .any(|c| c.is_whitespace() || c.is_control() || "\"'<>\\`".contains(c))
        && !path.contains("//")
}

/// `https://host/gonghui` → (`https://host/gonghui/`, `/gonghui/`).
pub fn normalize_base_url(url: &str) -> (String, String) {
    let mut url = url.trim().to_string();
    if !url.ends_with('/') {
        url.push('/');
    }
    let after_scheme = url.find("://").map_or(0, |i| i + 3);
    let path = url[after_scheme..]
        .find('/')
        .map_or("/", |i| &url[after_scheme + i..]);
    let path = path.split(['?', '#']).next().unwrap_or("/").to_string();
    (url, path)
}

impl Config {
    /// The root-relative URL of an output path (`news/x/` → `/gonghui/news/x/`).
    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base_path, path.trim_start_matches('/'))
    }

    /// The absolute URL of an output path.
    pub fn permalink(&self, path: &str) -> String {
        format!("{}{}", self.base_url, path.trim_start_matches('/'))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn base_urls_that_would_break_pages_are_refused() {
        assert!(plain_base_url("https://example.org/gonghui/"));
        for bad in [
            "https://a.org//evil.org/",
            "https://a.org/\"><script>",
            "https://a.org/ x/",
            "https://a.org\\evil.org/",
        ] {
            assert!(!plain_base_url(bad), "{bad}");
        }
    }

    #[test]
    fn base_url_keeps_its_sub_path() {
        assert_eq!(
            normalize_base_url("https://host/gonghui"),
            ("https://host/gonghui/".into(), "/gonghui/".into())
        );
        assert_eq!(
            normalize_base_url("https://host"),
            ("https://host/".into(), "/".into())
        );
    }
}
