//! The fixture-site harness: copy `tests/fixtures/<area>/<case>/` to a scratch folder, run the
//! real `caidan` binary on it, and read what it wrote.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::atomic::{AtomicUsize, Ordering};

pub struct Site {
    pub root: PathBuf,
}

pub struct Run {
    pub code: i32,
    pub stderr: String,
}

static COUNTER: AtomicUsize = AtomicUsize::new(0);

fn fixtures() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures")
}

/// A fresh scratch folder under `target/`, unique per test.
pub fn scratch(name: &str) -> PathBuf {
    let n = COUNTER.fetch_add(1, Ordering::SeqCst);
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join(format!(
        "it-{}-{n}-{}",
        std::process::id(),
        name.replace('/', "-")
    ));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

impl Site {
    /// Copies a fixture; `tests/fixtures/site.yaml` is used when the case has none.
    pub fn fixture(case: &str) -> Site {
        let root = scratch(case);
        copy_dir(&fixtures().join(case), &root);
        if !root.join("site.yaml").exists() {
            std::fs::copy(fixtures().join("site.yaml"), root.join("site.yaml")).unwrap();
        }
        Site { root }
    }

    /// An empty site with the shared site.yaml, to be filled with [`Site::file`].
    pub fn empty(name: &str) -> Site {
        let root = scratch(name);
        std::fs::copy(fixtures().join("site.yaml"), root.join("site.yaml")).unwrap();
        std::fs::create_dir_all(root.join("content")).unwrap();
        Site { root }
    }

    pub fn file(&self, rel: &str, text: &str) -> &Self {
        let path = self.root.join(rel);
        std::fs::create_dir_all(path.parent().unwrap()).unwrap();
        std::fs::write(path, text).unwrap();
        self
    }

    pub fn run(&self, args: &[&str]) -> Run {
        caidan(&self.root, args)
    }

    /// `caidan build`, which must succeed.
    pub fn build(&self) -> Run {
        let run = self.run(&["build"]);
        assert_eq!(run.code, 0, "build failed:\n{}", run.stderr);
        run
    }

    pub fn read(&self, rel: &str) -> String {
        let path = self.root.join("public").join(rel);
        std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
    }

    pub fn exists(&self, rel: &str) -> bool {
        self.root.join("public").join(rel).exists()
    }

    /// The `<main>` element of an output page.
    pub fn main(&self, rel: &str) -> String {
        main_of(&self.read(rel))
    }
}

pub fn caidan(root: &Path, args: &[&str]) -> Run {
    let out = Command::new(env!("CARGO_BIN_EXE_caidan"))
        .arg("--root")
        .arg(root)
        .args(args)
        .env("NO_COLOR", "1")
        .output()
        .expect("run caidan");
    Run {
        code: out.status.code().unwrap_or(-1),
        stderr: String::from_utf8_lossy(&out.stderr).into_owned(),
    }
}

pub fn main_of(html: &str) -> String {
    let start = html.find("<main").expect("page has <main>");
    let end = html.rfind("</main>").expect("page has </main>") + "</main>".len();
    html[start..end].to_string()
}

/// Diagnostics text with the scratch path removed, for snapshots.
pub fn normalized(run: &Run, site: &Site) -> String {
    run.stderr
        .replace(&site.root.display().to_string(), "<site>")
}

pub fn copy_dir(from: &Path, to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for entry in std::fs::read_dir(from).unwrap_or_else(|e| panic!("{}: {e}", from.display())) {
        let entry = entry.unwrap();
        let dest = to.join(entry.file_name());
        if entry.file_type().unwrap().is_dir() {
            copy_dir(&entry.path(), &dest);
        } else {
            std::fs::copy(entry.path(), dest).unwrap();
        }
    }
}
