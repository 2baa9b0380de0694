//! Embeds `themes/default` into the binary, so a site without a `themes/` folder (a new site from
//! `caidan init`, or a corpus generated for benchmarks) still builds with the default theme.

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn main() {
    let theme = Path::new("themes/default");
    println!("cargo:rerun-if-changed=themes/default");
    let mut files = Vec::new();
    for sub in ["templates", "static"] {
        collect(&theme.join(sub), &mut files);
    }
    files.sort();
    let root = std::env::current_dir().expect("cwd");
    let mut out = String::from(
        "/// Files of the built-in default theme: (path under the theme folder, bytes).\npub static FILES: &[(&str, &[u8])] = &[\n",
    );
    for file in &files {
        let rel = file.strip_prefix(theme).expect("inside theme");
        let rel = rel
            .components()
            .map(|c| c.as_os_str().to_string_lossy().into_owned())
            .collect::<Vec<_>>()
            .join("/");
        let _ = writeln!(out, "    ({rel:?}, include_bytes!({:?})),", root.join(file));
    }
    out.push_str("];\n");
    let dest = PathBuf::from(std::env::var("OUT_DIR").expect("OUT_DIR")).join("embedded_theme.rs");
    std::fs::write(dest, out).expect("write embedded theme");
}

fn collect(dir: &Path, files: &mut Vec<PathBuf>) {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        let path = entry.path();
        if path.is_dir() {
            collect(&path, files);
        } else if !path
            .file_name()
            .is_some_and(|n| n.to_string_lossy().starts_with('.'))
        {
            files.push(path);
        }
    }
}
