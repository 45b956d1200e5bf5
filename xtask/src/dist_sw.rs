//! The service worker's half of the build: `js/sw.js` (copied to the bundle's root by Trunk) is
//! written with an empty list of files; after Trunk, [`fill`] puts in the app shell of this build
//! (the files `index.html` names, with Trunk's hashed names) and a version that changes with
//! their contents, so that each build gets its own cache and a stale page is never mixed with
//! newer files.

use crate::dist::tags;
use crate::util::Result;
use std::path::Path;

/// The lines of `sw.js` that [`fill`] replaces, each ending with its marker comment.
const PRECACHE_MARKER: &str = "// natter:precache";
const VERSION_MARKER: &str = "// natter:version";

/// Fills `dir/sw.js` with the shell of the bundle in `dir`. A bundle without `sw.js` is left as
/// it is (the page registers none).
pub fn fill(dir: &Path) -> Result {
    let sw_path = dir.join("sw.js");
    if !sw_path.is_file() {
        return Ok(());
    }
    let read = |p: &Path| std::fs::read(p).map_err(|e| format!("read {}: {e}", p.display()));
    let index = String::from_utf8_lossy(&read(&dir.join("index.html"))?).into_owned();
    let files = shell_files(&index)?;
    let mut contents = Vec::with_capacity(files.len());
    for name in &files {
        let path = dir.join(name);
        if !path.is_file() {
            return Err(format!(
                "index.html names {name}, which is not in {}: the offline shell would be incomplete",
                dir.display()
            ));
        }
        contents.push((name.as_str(), read(&path)?));
    }
    let sw = String::from_utf8_lossy(&read(&sw_path)?).into_owned();
    let filled = fill_script(&sw, &files, &version(&contents))
        .map_err(|e| format!("{}: {e}", sw_path.display()))?;
    std::fs::write(&sw_path, filled).map_err(|e| format!("write {}: {e}", sw_path.display()))
}

/// The files of the app shell, relative to the page: `index.html` first, then every local file
/// the page loads (stylesheet, loader and other scripts, the glue and the wasm Trunk names in
/// the `natter-js`/`natter-wasm` meta elements, preloads, the manifest, icons). The worker
/// itself is not part of it (the browser keeps it).
pub fn shell_files(index_html: &str) -> Result<Vec<String>> {
    let mut out = vec!["index.html".to_string()];
    for tag in tags(index_html) {
        let attr = |name: &str| {
            tag.attrs
                .iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(name))
                .map(|(_, v)| v.as_str())
        };
        let url = match tag.name.to_ascii_lowercase().as_str() {
            "link" => attr("href"),
            "script" => attr("src"),
            "meta" if matches!(attr("name"), Some("natter-js" | "natter-wasm")) => attr("content"),
            _ => None,
        };
        let Some(url) = url else { continue };
        if let Some(name) = local_file(url)? {
            if name != "sw.js" && !out.contains(&name) {
                out.push(name);
            }
        }
    }
    Ok(out)
}

/// `url` as a path inside the bundle, or `None` for what is not a file of it (`data:`, other
/// origins). A path that climbs out of the bundle is an error: the worker could not cache it
/// under the page's scope.
fn local_file(url: &str) -> Result<Option<String>> {
    let url = url.trim();
    let is_remote = url.starts_with("//")
        || url
            .split_once(':')
            .is_some_and(|(scheme, _)| !scheme.contains('/'));
    if url.is_empty() || is_remote || url.starts_with('#') {
        return Ok(None);
    }
    let path = url.split(['?', '#']).next().unwrap_or("");
    let path = path.strip_prefix("./").unwrap_or(path);
    if path.starts_with('/') || path.split('/').any(|part| part == "..") || path.is_empty() {
        return Err(format!(
            "index.html names {url}: the shell files must be relative paths inside the bundle"
        ));
    }
    Ok(Some(path.to_string()))
}

/// FNV-1a 64 over the names and contents: the cache name only has to change whenever a file
/// does, not resist an adversary (the files come from our own build).
fn version(files: &[(&str, Vec<u8>)]) -> String {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |bytes: &[u8]| {
        for b in bytes {
            h ^= u64::from(*b);
            h = h.wrapping_mul(0x0100_0000_01b3);
        }
    };
    for (name, data) in files {
        eat(name.as_bytes());
        eat(&[0]);
        eat(&(data.len() as u64).to_le_bytes());
        eat(data);
    }
    format!("{h:016x}")
}

/// `sw` with its two marked lines replaced; each marker must be there exactly once.
fn fill_script(sw: &str, files: &[String], version: &str) -> Result<String> {
    // JSON is valid JavaScript and escapes whatever a file name holds.
    let list = serde_json::to_string(files).map_err(|e| e.to_string())?;
    let version = serde_json::to_string(version).map_err(|e| e.to_string())?;
    let mut found = (0, 0);
    let lines: Vec<String> = sw
        .lines()
        .map(|line| {
            if line.trim_end().ends_with(PRECACHE_MARKER) {
                found.0 += 1;
                format!("const PRECACHE = {list}; {PRECACHE_MARKER}")
            } else if line.trim_end().ends_with(VERSION_MARKER) {
                found.1 += 1;
                format!("const VERSION = {version}; {VERSION_MARKER}")
            } else {
                line.to_string()
            }
        })
        .collect();
    if found != (1, 1) {
        return Err(format!(
            "expected one line ending with `{PRECACHE_MARKER}` and one with `{VERSION_MARKER}`, \
             found {} and {}",
            found.0, found.1
        ));
    }
    Ok(lines.join("\n") + "\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    const INDEX: &str = r#"<!doctype html><html lang=en><meta charset=utf-8>
<link href=icons/natter.svg rel=icon type=image/svg+xml><link href=manifest.webmanifest rel=manifest>
<link href=./main-18f4.css integrity=sha384-x rel=stylesheet>
<meta content=./app-c03d.js name=natter-js><meta content=./app-c03d_bg.wasm name=natter-wasm>
<meta content="Natter: a web XMPP client" name=description>
<script src=./sw-register-1.js type=module></script><script src=./loader-f624.js type=module></script>
<link crossorigin href=./app-c03d.js rel=modulepreload>
<link href="data:," rel=preconnect><link href="https://example.org/x.css" rel=stylesheet>
</head><body></body></html>"#;

    #[test]
    fn the_shell_is_what_the_page_loads() {
        assert_eq!(
            shell_files(INDEX).unwrap(),
            [
                "index.html",
                "icons/natter.svg",
                "manifest.webmanifest",
                "main-18f4.css",
                "app-c03d.js",
                "app-c03d_bg.wasm",
                "sw-register-1.js",
                "loader-f624.js",
            ]
        );
    }

    #[test]
    fn paths_out_of_the_bundle_are_refused() {
        for bad in ["../secret.js", "/abs/app.js", "./a/../../b.js"] {
            let html = format!("<script src={bad}></script>");
            assert!(shell_files(&html).is_err(), "{bad}");
        }
        assert_eq!(
            shell_files("<script src=sw.js></script>").unwrap(),
            ["index.html"]
        );
    }

    const SW: &str = "// head\nconst PRECACHE = []; // natter:precache\n\
                      const VERSION = 'dev'; // natter:version\nself.x = 1;\n";

    #[test]
    fn the_script_gets_the_list_and_the_version() {
        let files = vec!["index.html".to_string(), "a\"b.js".to_string()];
        let out = fill_script(SW, &files, "0123").unwrap();
        assert!(
            out.contains(r#"const PRECACHE = ["index.html","a\"b.js"]; // natter:precache"#),
            "{out}"
        );
        assert!(out.contains(r#"const VERSION = "0123"; // natter:version"#));
        assert!(out.starts_with("// head\n") && out.ends_with("self.x = 1;\n"));
        let err = fill_script("const PRECACHE = [];\n", &files, "1").unwrap_err();
        assert!(err.contains("found 0 and 0"), "{err}");
    }

    #[test]
    fn the_version_follows_the_contents() {
        let a = version(&[("index.html", b"<html>".to_vec())]);
        assert_eq!(a, version(&[("index.html", b"<html>".to_vec())]));
        assert_ne!(a, version(&[("index.html", b"<html >".to_vec())]));
        assert_ne!(a, version(&[("index.htm", b"l<html>".to_vec())]));
    }

    /// `xtask serve` (the demo, the discovery tests) must let the browser find a new build: the
    /// worker and the page are revalidated on every load.
    #[test]
    fn the_dev_server_revalidates_the_worker_and_the_page() {
        use crate::serve::{Config, Server, WebSocketMode};
        use std::io::{Read, Write};
        let dir = std::env::temp_dir().join(format!("natter-serve-sw-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        std::fs::write(dir.join("sw.js"), SW).unwrap();
        std::fs::write(dir.join("index.html"), "<!doctype html>").unwrap();
        let server = Server::start_with(
            Config {
                dir: dir.clone(),
                backend: None,
                websocket: WebSocketMode::Proxy,
            },
            0,
        )
        .unwrap();
        let get = |path: &str| {
            let mut c = std::net::TcpStream::connect(("127.0.0.1", server.port)).unwrap();
            write!(
                c,
                "GET {path} HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n"
            )
            .unwrap();
            let mut out = String::new();
            c.read_to_string(&mut out).unwrap();
            out.to_ascii_lowercase()
        };
        let (sw, page) = (get("/sw.js"), get("/"));
        drop(server);
        std::fs::remove_dir_all(&dir).unwrap();
        for (what, head) in [("sw.js", &sw), ("index.html", &page)] {
            assert!(head.starts_with("http/1.1 200"), "{what}: {head}");
            assert!(
                head.contains("\r\ncache-control: no-cache\r\n"),
                "{what}: {head}"
            );
        }
        assert!(sw.contains("\r\ncontent-type: text/javascript"), "{sw}");
        assert!(sw.contains("natter:precache"), "{sw}");
    }

    #[test]
    fn a_bundle_is_filled_in_place() {
        let dir = std::env::temp_dir().join(format!("natter-dist-sw-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let html = "<link href=main-1.css rel=stylesheet><script src=./loader-2.js></script>";
        std::fs::write(dir.join("index.html"), html).unwrap();
        std::fs::write(dir.join("main-1.css"), "p{}").unwrap();
        std::fs::write(dir.join("sw.js"), SW).unwrap();
        let missing = fill(&dir).unwrap_err();
        assert!(missing.contains("loader-2.js"), "{missing}");
        std::fs::write(dir.join("loader-2.js"), "x").unwrap();
        fill(&dir).unwrap();
        let first = std::fs::read_to_string(dir.join("sw.js")).unwrap();
        std::fs::write(dir.join("main-1.css"), "p{color:red}").unwrap();
        fill(&dir).unwrap();
        let second = std::fs::read_to_string(dir.join("sw.js")).unwrap();
        std::fs::remove_dir_all(&dir).unwrap();
        assert!(
            first.contains(r#"["index.html","main-1.css","loader-2.js"]"#),
            "{first}"
        );
        let version = |s: &str| {
            s.lines()
                .find(|l| l.contains(VERSION_MARKER))
                .unwrap()
                .to_string()
        };
        assert_ne!(
            version(&first),
            version(&second),
            "a changed file, a new cache"
        );
    }
}
