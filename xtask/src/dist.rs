//! The release bundle: `trunk build --release --offline` into `dist/`, with relative URLs so the
//! page works from any static server under any path prefix, and its sizes.
//!
//! The page must run under the strict CSP of docs/deploy.md (`script-src 'self'
//! 'wasm-unsafe-eval'; style-src 'self'`): Trunk.toml replaces Trunk's inline loader with
//! `js/loader.js`, and [`check_csp_clean`] fails the build if the written `index.html` still holds
//! an inline script, a `<style>` element, a `style` attribute or an event-handler attribute.

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
    build_to(&dist_dir())
}

/// [`build`] into another directory (concurrent builds must not share one).
pub fn build_to(dir: &Path) -> Result {
    let root = util::root();
    if !root.join("index.html").is_file() {
        return Err(
            "index.html is missing at the repository root: the app has no Trunk entry point yet"
                .into(),
        );
    }
    check_sources(&root.join("src"))?;
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
            .arg(dir)
            .current_dir(&root)
            .env("PATH", util::path_with(&bin))
            .env("TRUNK_SKIP_VERSION_CHECK", "true"),
        "trunk build --release",
    )?;
    let index = dir.join("index.html");
    let html =
        std::fs::read_to_string(&index).map_err(|e| format!("read {}: {e}", index.display()))?;
    check_csp_clean(&html).map_err(|e| format!("{}: {e}", index.display()))?;
    // The embeddable widget: widget.js (stable URL) with the hashed names filled in.
    crate::widget::write(dir)?;
    // The service worker's list of shell files and cache version (PWA, offline start).
    crate::dist_sw::fill(dir)?;
    precompress(dir)
}

/// The text and wasm files of the bundle that are worth sending compressed.
fn compressible(path: &Path) -> bool {
    matches!(
        path.extension().and_then(|e| e.to_str()),
        Some("wasm" | "js" | "mjs" | "css" | "html")
    )
}

/// Writes `<file>.br` (Brotli, quality 11) and `<file>.gz` (gzip -9) next to every compressible
/// file of `dir`, so that a static server sends them as they are (nginx `brotli_static` /
/// `gzip_static`, Caddy `precompressed`, `xtask serve`) instead of compressing on every request
/// at a lower level. Brotli takes about a fifth off gzip -9 for the wasm (issue 9).
pub fn precompress(dir: &Path) -> Result {
    let mut files = Vec::new();
    walk(dir, &mut files);
    for f in files.iter().filter(|f| compressible(f)) {
        let data = std::fs::read(f).map_err(|e| format!("read {}: {e}", f.display()))?;
        for (ext, packed) in [("br", brotli11(&data)), ("gz", gzip9(&data))] {
            let mut name = f.clone().into_os_string();
            name.push(".");
            name.push(ext);
            std::fs::write(&name, packed)
                .map_err(|e| format!("write {}: {e}", Path::new(&name).display()))?;
        }
    }
    Ok(())
}

/// Fails on anything in `html` that a CSP without `'unsafe-inline'` would block: a `<script>`
/// without `src`, a `<style>` element, a `style` or `on…` attribute, a `javascript:` URL.
pub fn check_csp_clean(html: &str) -> std::result::Result<(), String> {
    let mut problems = Vec::new();
    for tag in tags(html) {
        let name = tag.name.to_ascii_lowercase();
        let has = |a: &str| tag.attrs.iter().any(|(k, _)| k.eq_ignore_ascii_case(a));
        if name == "script" && !has("src") {
            problems
                .push("an inline <script> (Trunk's loader? see Trunk.toml pattern_script)".into());
        }
        if name == "style" {
            problems.push("a <style> element".to_string());
        }
        for (k, v) in &tag.attrs {
            let k = k.to_ascii_lowercase();
            if k == "style" {
                problems.push(format!("a style attribute on <{name}>"));
            } else if k.starts_with("on") {
                problems.push(format!("an event handler attribute {k} on <{name}>"));
            } else if v
                .trim_start()
                .to_ascii_lowercase()
                .starts_with("javascript:")
            {
                problems.push(format!("a javascript: URL in {k} on <{name}>"));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "the page would break under the strict CSP: {}",
            problems.join("; ")
        ))
    }
}

/// What in the app's sources would break the strict CSP at run time (a `style` attribute set
/// from a string, HTML parsed from a string), found before a build rather than by the browser
/// tests. Leptos' `style:prop=` and `style=("prop", value)` go through the CSSOM and are fine.
pub fn check_sources(src: &Path) -> Result {
    let mut files = Vec::new();
    walk(src, &mut files);
    files.sort();
    let mut problems = Vec::new();
    for file in files
        .iter()
        .filter(|f| f.extension().is_some_and(|e| e == "rs"))
    {
        let text =
            std::fs::read_to_string(file).map_err(|e| format!("read {}: {e}", file.display()))?;
        for (n, line) in text.lines().enumerate() {
            if let Some(what) = csp_unsafe(line) {
                problems.push(format!("{}:{}: {what}", file.display(), n + 1));
            }
        }
    }
    if problems.is_empty() {
        Ok(())
    } else {
        Err(format!(
            "would break the strict CSP (docs/deploy.md):\n  {}",
            problems.join("\n  ")
        ))
    }
}

fn csp_unsafe(line: &str) -> Option<&'static str> {
    let code = line.split("//").next().unwrap_or("");
    let attr = code.match_indices("style=").any(|(i, _)| {
        let before = code[..i].chars().next_back();
        let after = code[i + 6..].trim_start();
        !matches!(before, Some(':' | '_' | '-'))
            && !before.is_some_and(char::is_alphanumeric)
            && !after.starts_with('(')
    });
    if attr {
        Some("a `style` attribute from a string (use `style:prop=` or `style=(\"prop\", v)`)")
    } else if code.contains("inner_html") || code.contains("set_inner_html") {
        Some("HTML parsed from a string (`inner_html`)")
    } else if code.contains(r#"set_attribute("style""#) {
        Some("a `style` attribute set from a string")
    } else {
        None
    }
}

pub(crate) struct Tag {
    pub(crate) name: String,
    pub(crate) attrs: Vec<(String, String)>,
}

/// The start tags of `html`, with their attributes; comments, end tags, doctypes and the
/// contents of `<script>`/`<style>` are skipped. Enough for the index.html Trunk writes.
pub(crate) fn tags(html: &str) -> Vec<Tag> {
    let mut out = Vec::new();
    let mut rest = html;
    while let Some(at) = rest.find('<') {
        rest = &rest[at + 1..];
        if let Some(after) = rest.strip_prefix("!--") {
            rest = after.find("-->").map_or("", |e| &after[e + 3..]);
            continue;
        }
        if rest.starts_with('/') || rest.starts_with('!') || rest.starts_with('?') {
            rest = rest.find('>').map_or("", |e| &rest[e + 1..]);
            continue;
        }
        let name_len = rest
            .find(|c: char| c.is_whitespace() || c == '>' || c == '/')
            .unwrap_or(rest.len());
        let name = rest[..name_len].to_string();
        rest = &rest[name_len..];
        let mut attrs = Vec::new();
        loop {
            rest = rest.trim_start_matches(|c: char| c.is_whitespace() || c == '/');
            if rest.is_empty() {
                break;
            }
            if let Some(after) = rest.strip_prefix('>') {
                rest = after;
                break;
            }
            let key_len = rest
                .find(|c: char| c.is_whitespace() || matches!(c, '=' | '>' | '/'))
                .unwrap_or(rest.len())
                .max(1);
            let key = rest[..key_len].to_string();
            rest = rest[key_len..].trim_start();
            let mut value = String::new();
            if let Some(after) = rest.strip_prefix('=') {
                let after = after.trim_start();
                let (v, tail) = match after.chars().next() {
                    Some(q @ ('"' | '\'')) => {
                        let body = &after[1..];
                        let end = body.find(q).unwrap_or(body.len());
                        (&body[..end], body.get(end + 1..).unwrap_or(""))
                    }
                    _ => {
                        let end = after
                            .find(|c: char| c.is_whitespace() || c == '>')
                            .unwrap_or(after.len());
                        (&after[..end], &after[end..])
                    }
                };
                value = v.to_string();
                rest = tail;
            }
            attrs.push((key, value));
        }
        let lower = name.to_ascii_lowercase();
        if lower == "script" || lower == "style" {
            let close = format!("</{lower}");
            rest = rest
                .to_ascii_lowercase()
                .find(&close)
                .map_or("", |e| &rest[e..]);
        }
        out.push(Tag { name, attrs });
    }
    out
}

#[derive(Default, Clone, Copy)]
pub struct Size {
    pub raw: u64,
    pub gz: u64,
    /// Brotli quality 11, what [`precompress`] writes and a browser gets over HTTPS.
    pub br: u64,
}

impl std::ops::AddAssign for Size {
    fn add_assign(&mut self, o: Size) {
        self.raw += o.raw;
        self.gz += o.gz;
        self.br += o.br;
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
        let s = |s: Size| serde_json::json!({ "raw": s.raw, "gzip9": s.gz, "brotli11": s.br });
        serde_json::json!({
            "wasm": s(self.wasm), "js": s(self.js), "css": s(self.css), "total": s(self.total()),
            "files": self.files.iter().map(|(n, z)| (n.clone(), s(*z))).collect::<serde_json::Map<_, _>>(),
        })
    }

    pub fn print(&self) {
        println!(
            "{:<28} {:>12} {:>12} {:>12}",
            "bundle", "raw bytes", "gzip -9", "brotli 11"
        );
        for (name, s) in &self.files {
            println!("{:<28} {:>12} {:>12} {:>12}", name, s.raw, s.gz, s.br);
        }
        for (name, s) in [
            ("wasm", self.wasm),
            ("js", self.js),
            ("css", self.css),
            ("total (wasm+js+css)", self.total()),
        ] {
            println!("{:<28} {:>12} {:>12} {:>12}", name, s.raw, s.gz, s.br);
        }
    }
}

pub fn gzip9_len(data: &[u8]) -> u64 {
    gzip9(data).len() as u64
}

fn gzip9(data: &[u8]) -> Vec<u8> {
    let mut enc = GzEncoder::new(Vec::new(), Compression::best());
    enc.write_all(data).expect("writing to a Vec");
    enc.finish().expect("writing to a Vec")
}

/// Brotli at its best quality with a 16 MB window (the whole wasm fits in it).
fn brotli11(data: &[u8]) -> Vec<u8> {
    let mut out = Vec::new();
    let params = brotli::enc::BrotliEncoderParams {
        quality: 11,
        lgwin: 24,
        size_hint: data.len(),
        ..Default::default()
    };
    brotli::BrotliCompress(&mut &data[..], &mut out, &params).expect("writing to a Vec");
    out
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
            br: match std::fs::metadata(f.with_extension(format!("{ext}.br"))) {
                Ok(m) => m.len(),
                Err(_) => brotli11(&data).len() as u64,
            },
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

/// `cargo xtask dist [--dir DIR]` (alias `build`).
pub fn run_cmd(args: &[String]) -> Result {
    let mut a = Args::new(args);
    let dir = a
        .value("--dir")?
        .map(|d| crate::prosody::absolute(Path::new(&d)))
        .unwrap_or_else(dist_dir);
    a.finish()?;
    crate::ensure::all()?;
    build_to(&dir)?;
    sizes(&dir)?.print();
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::check_csp_clean;

    #[test]
    fn precompressed_copies_decode_to_the_file() {
        use std::io::Read;
        let dir = std::env::temp_dir().join(format!("natter-precompress-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let wasm: Vec<u8> = (0..50_000u32)
            .flat_map(|i| (i % 251).to_le_bytes())
            .collect();
        std::fs::write(dir.join("app.wasm"), &wasm).unwrap();
        std::fs::write(dir.join("notes.txt"), b"not compressed").unwrap();
        super::precompress(&dir).unwrap();
        let br = std::fs::read(dir.join("app.wasm.br")).unwrap();
        let mut unbr = Vec::new();
        brotli::BrotliDecompress(&mut &br[..], &mut unbr).unwrap();
        let gz = std::fs::read(dir.join("app.wasm.gz")).unwrap();
        let mut ungz = Vec::new();
        flate2::read::GzDecoder::new(&gz[..])
            .read_to_end(&mut ungz)
            .unwrap();
        assert!(!dir.join("notes.txt.br").exists());
        std::fs::remove_dir_all(&dir).unwrap();
        assert_eq!(unbr, wasm);
        assert_eq!(ungz, wasm);
        assert!(br.len() < wasm.len() / 10, "{} of {}", br.len(), wasm.len());
    }

    #[test]
    fn trunks_own_loader_is_refused() {
        let trunk = r#"<html><head><link rel="stylesheet" href="./main-1.css" integrity="x"/>
<script type="module">
import init, * as bindings from './app-1.js';
const wasm = await init({ module_or_path: './app-1_bg.wasm' });
</script></head><body></body></html>"#;
        let err = check_csp_clean(trunk).unwrap_err();
        assert!(err.contains("inline <script>"), "{err}");
    }

    #[test]
    fn the_external_loader_passes() {
        let ours = r#"<!doctype html><html><head>
<!-- a comment with <script>alert(1)</script> and style="x" -->
<meta http-equiv="Content-Security-Policy" content="default-src 'self'; style-src 'self'">
<meta name="natter-js" content="./app-1.js"><meta name="natter-wasm" content="./app-1_bg.wasm">
<script src="./loader-2.js" type="module" integrity="sha384-x"></script>
<link rel="modulepreload" href="./app-1.js" crossorigin="anonymous" integrity="sha384-y">
</head><body><noscript>Natter needs JavaScript and WebAssembly.</noscript></body></html>"#;
        assert_eq!(check_csp_clean(ours), Ok(()));
    }

    #[test]
    fn sources_that_would_break_the_csp() {
        use super::csp_unsafe;
        for bad in [
            r#"<li style=format!("top:{}px", y)>"#,
            r#"<div style="color:red">"#,
            r#"    style=move || format!("height:{h}px")"#,
            r#"el.set_inner_html(&html);"#,
            r#"el.set_attribute("style", "x")"#,
        ] {
            assert!(csp_unsafe(bad).is_some(), "{bad}");
        }
        for ok in [
            r#"style:top=format!("{}px", y)"#,
            r#"<span class="avatar" style=("--hue", hue.to_string())>"#,
            r#"style:list-style="none""#,
            r#"// style="x" in a comment"#,
            r#"let list_style="none";"#,
        ] {
            assert_eq!(csp_unsafe(ok), None, "{ok}");
        }
    }

    #[test]
    fn inline_styles_and_handlers_are_refused() {
        for (html, what) in [
            ("<div style='color:red'></div>", "style attribute"),
            ("<STYLE>p{}</STYLE>", "<style> element"),
            ("<body onload=go()>", "event handler"),
            ("<a href=' javascript:x'>", "javascript: URL"),
            (
                "<script>x</script><script src=a.js></script>",
                "inline <script>",
            ),
        ] {
            let err = check_csp_clean(html).unwrap_err();
            assert!(err.contains(what), "{html}: {err}");
        }
    }
}
