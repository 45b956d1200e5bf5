//! A static file server for `dist/` (tiny_http, one thread). Serves `.wasm` as `application/wasm`,
//! directories as their `index.html`, and nothing outside the root.

use crate::util::{self, Args, Result};
use std::path::{Component, Path, PathBuf};
use std::sync::Arc;

pub struct Server {
    server: Arc<tiny_http::Server>,
    pub port: u16,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Server {
    /// Binds 127.0.0.1:`port` (0 picks a free port) and serves `dir` from a background thread.
    pub fn start(dir: &Path, port: u16) -> Result<Server> {
        let server = tiny_http::Server::http(("127.0.0.1", port))
            .map_err(|e| format!("cannot serve on 127.0.0.1:{port}: {e}"))?;
        let port = server
            .server_addr()
            .to_ip()
            .map(|a| a.port())
            .unwrap_or(port);
        let server = Arc::new(server);
        let dir = dir.to_path_buf();
        let s = Arc::clone(&server);
        let thread = std::thread::spawn(move || {
            for req in s.incoming_requests() {
                respond(&dir, req);
            }
        });
        Ok(Server {
            server,
            port,
            thread: Some(thread),
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.server.unblock();
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

fn content_type(path: &Path) -> &'static str {
    match path.extension().and_then(|e| e.to_str()).unwrap_or("") {
        "html" => "text/html; charset=utf-8",
        "js" | "mjs" => "text/javascript; charset=utf-8",
        "wasm" => "application/wasm",
        "css" => "text/css; charset=utf-8",
        "json" | "webmanifest" => "application/json",
        "svg" => "image/svg+xml",
        "png" => "image/png",
        "ico" => "image/x-icon",
        "woff2" => "font/woff2",
        "txt" => "text/plain; charset=utf-8",
        _ => "application/octet-stream",
    }
}

fn percent_decode(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' && i + 2 < b.len() {
            if let Some(v) = std::str::from_utf8(&b[i + 1..i + 3])
                .ok()
                .and_then(|h| u8::from_str_radix(h, 16).ok())
            {
                out.push(v);
                i += 3;
                continue;
            }
        }
        out.push(b[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Maps a URL path to a file under `root`, refusing `..`.
fn resolve(root: &Path, url: &str) -> Option<PathBuf> {
    let path = url.split(['?', '#']).next().unwrap_or("/");
    let path = percent_decode(path);
    let mut out = root.to_path_buf();
    for c in Path::new(path.trim_start_matches('/')).components() {
        match c {
            Component::Normal(part) => out.push(part),
            Component::CurDir => {}
            _ => return None,
        }
    }
    if out.is_dir() {
        out.push("index.html");
    }
    out.is_file().then_some(out)
}

fn respond(root: &Path, req: tiny_http::Request) {
    let header = |k: &str, v: &str| {
        tiny_http::Header::from_bytes(k.as_bytes(), v.as_bytes()).expect("valid header")
    };
    let result = match resolve(root, req.url()) {
        Some(file) => match std::fs::File::open(&file) {
            Ok(f) => req.respond(
                tiny_http::Response::from_file(f)
                    .with_header(header("Content-Type", content_type(&file)))
                    .with_header(header("Cache-Control", "no-cache")),
            ),
            Err(_) => {
                req.respond(tiny_http::Response::from_string("forbidden").with_status_code(403))
            }
        },
        None => req.respond(tiny_http::Response::from_string("not found").with_status_code(404)),
    };
    let _ = result;
}

/// `cargo xtask serve [--port 8080] [--dir dist]`: serve a directory until Ctrl-C.
pub fn run_cmd(args: &[String]) -> Result {
    let mut a = Args::new(args);
    let port = a.parse("--port", 8080u16)?;
    let dir = a
        .value("--dir")?
        .map(PathBuf::from)
        .unwrap_or_else(|| util::root().join("dist"));
    a.finish()?;
    if !dir.join("index.html").is_file() {
        return Err(format!(
            "{} has no index.html: run `cargo xtask dist` first",
            dir.display()
        ));
    }
    util::catch_interrupts();
    let server = Server::start(&dir, port)?;
    println!(
        "Serving {} on http://127.0.0.1:{}/ (Ctrl-C stops)",
        dir.display(),
        server.port
    );
    while !util::interrupted() {
        util::sleep_ms(100);
    }
    Ok(())
}
