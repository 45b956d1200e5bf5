//! The release bundle: `trunk build --release --offline` into `dist/`, with relative URLs so the
//! page works from any static server under any path prefix, and its sizes.

use crate::util::{self, Args, Result};
use flate2::{write::GzEncoder, Compression};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::Command;

pub fn dist_dir() -> PathBuf {
    util::root().join("dist")
}

/// Builds `dist/`. Trunk runs cargo with `--offline`, so dependencies are fetched first; wasm-opt
/// comes from npm's binaryen 132 (`e2e/node_modules/.bin` first on PATH; Debian's 108 breaks the
/// app, see shared/toolchain.md).
pub fn build() -> Result {
    let root = util::root();
    if !root.join("index.html").is_file() {
        return Err(
            "index.html is missing at the repository root: the app has no Trunk entry point yet"
                .into(),
        );
    }
    util::run(
        Command::new("cargo").arg("fetch").current_dir(&root),
        "cargo fetch",
    )?;
    let bin = root.join("e2e/node_modules/.bin");
    util::run(
        Command::new("trunk")
            .args([
                "build",
                "--release",
                "--offline",
                "--public-url",
                "./",
                "--dist",
            ])
            .arg(dist_dir())
            .current_dir(&root)
            .env("PATH", util::path_with(&bin))
            .env("TRUNK_SKIP_VERSION_CHECK", "true"),
        "trunk build --release",
    )
}

#[derive(Default, Clone, Copy)]
pub struct Size {
    pub raw: u64,
    pub gz: u64,
}

impl std::ops::AddAssign for Size {
    fn add_assign(&mut self, o: Size) {
        self.raw += o.raw;
        self.gz += o.gz;
    }
}

pub struct Sizes {
    pub wasm: Size,
    pub js: Size,
    pub css: Size,
    pub files: Vec<(String, Size)>,
}

impl Sizes {
    pub fn total(&self) -> Size {
        let mut t = self.wasm;
        t += self.js;
        t += self.css;
        t
    }

    pub fn to_json(&self) -> serde_json::Value {
        let s = |s: Size| serde_json::json!({ "raw": s.raw, "gzip9": s.gz });
        serde_json::json!({
            "wasm": s(self.wasm), "js": s(self.js), "css": s(self.css), "total": s(self.total()),
            "files": self.files.iter().map(|(n, z)| (n.clone(), s(*z))).collect::<serde_json::Map<_, _>>(),
        })
    }

    pub fn print(&self) {
        println!("{:<28} {:>12} {:>12}", "bundle", "raw bytes", "gzip -9");
        for (name, s) in &self.files {
            println!("{:<28} {:>12} {:>12}", name, s.raw, s.gz);
        }
        for (name, s) in [
            ("wasm", self.wasm),
            ("js", self.js),
            ("css", self.css),
            ("total (wasm+js+css)", self.total()),
        ] {
            println!("{:<28} {:>12} {:>12}", name, s.raw, s.gz);
        }
    }
}

pub fn gzip9_len(data: &[u8]) -> u64 {
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(data).expect("writing to a Vec");
    enc.finish().expect("writing to a Vec").len() as u64
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) {
    if let Ok(rd) = std::fs::read_dir(dir) {
        for e in rd.flatten() {
            let p = e.path();
            if p.is_dir() {
                walk(&p, out);
            } else {
                out.push(p);
            }
        }
    }
}

/// Sizes of the wasm, js and css files in `dist/` (raw and gzip -9).
pub fn sizes(dir: &Path) -> Result<Sizes> {
    let mut files = Vec::new();
    walk(dir, &mut files);
    files.sort();
    let mut s = Sizes {
        wasm: Size::default(),
        js: Size::default(),
        css: Size::default(),
        files: Vec::new(),
    };
    for f in files {
        let ext = f
            .extension()
            .and_then(|e| e.to_str())
            .unwrap_or("")
            .to_string();
        let slot = match ext.as_str() {
            "wasm" => &mut s.wasm,
            "js" | "mjs" => &mut s.js,
            "css" => &mut s.css,
            _ => continue,
        };
        let data = std::fs::read(&f).map_err(|e| format!("read {}: {e}", f.display()))?;
        let size = Size {
            raw: data.len() as u64,
            gz: gzip9_len(&data),
        };
        *slot += size;
        let name = f.strip_prefix(dir).unwrap_or(&f).display().to_string();
        s.files.push((name, size));
    }
    if s.wasm.raw == 0 {
        return Err(format!("no .wasm file in {}", dir.display()));
    }
    Ok(s)
}

/// `cargo xtask dist` (alias `build`).
pub fn run_cmd(args: &[String]) -> Result {
    Args::new(args).finish()?;
    crate::ensure::all()?;
    build()?;
    sizes(&dist_dir())?.print();
    Ok(())
}
