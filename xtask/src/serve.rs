//! The dev web server: `dist/` and the XMPP server's HTTP endpoints on ONE origin, like the
//! production layout in docs/deploy.md (nginx or Caddy in front of Prosody or ejabberd).
//!
//! - `GET`/`HEAD` of anything else: static files from `dist/` (`.wasm` as `application/wasm`,
//!   directories as their `index.html`, nothing outside the root), keep-alive.
//! - `/xmpp-websocket` with `Upgrade: websocket`: the request head goes to the XMPP server's HTTP
//!   port, then the raw TCP streams are piped both ways until one side closes. `--no-websocket`
//!   answers 403 instead (a firewall that breaks WebSocket), `--hang-websocket` never answers.
//! - `/http-bind` (BOSH) and any other `/xmpp-websocket` request: forwarded with
//!   `Connection: close` on both legs, so a forwarded connection never carries later requests.
//! - `/.well-known/host-meta` and `/.well-known/host-meta.json` (XEP-0156): generated here,
//!   pointing at this origin's own `/xmpp-websocket` and `/http-bind` (from the request's `Host`),
//!   with `Access-Control-Allow-Origin: *`.
//!
//! Every static file is sent with the app's Content-Security-Policy (`serve_csp`), so the dev
//! server, the demo and the browser tests run the page under the policy deployers are told to
//! use, and with `Access-Control-Allow-Origin: *` and `Cross-Origin-Resource-Policy:
//! cross-origin`: the embeddable widget (widget.js) is imported by pages on other origins,
//! which then fetch its glue, wasm and CSS from here.
//!
//! Plain std: one thread per connection (BOSH holds requests open for up to a minute; a handful of
//! connections at a time). Listens on 127.0.0.1 and, when available, on [::1] with the same port,
//! because browsers may try `localhost` as ::1 first.

use crate::util::{self, Args, Result};
use std::io::{self, BufRead, BufReader, Read, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::path::{Component, Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

/// What happens to WebSocket upgrade requests.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum WebSocketMode {
    /// Piped to the XMPP server.
    Proxy,
    /// Answered `403 Forbidden` (a proxy or firewall that refuses WebSocket).
    Refuse,
    /// Read, never answered, held open until the client gives up (a middlebox that swallows it).
    Hang,
}

#[derive(Clone, Debug)]
pub struct Config {
    pub dir: PathBuf,
    /// The XMPP server's HTTP port on 127.0.0.1; `None`: static files only.
    pub backend: Option<u16>,
    pub websocket: WebSocketMode,
}

pub struct Server {
    pub port: u16,
    /// The Content-Security-Policy header sent with every static file.
    pub csp: String,
    stop: Arc<AtomicBool>,
    threads: Vec<std::thread::JoinHandle<()>>,
    addrs: Vec<SocketAddr>,
}

impl Server {
    /// Binds 127.0.0.1:`port` (0 picks a free port) and [::1] on the same port if possible.
    /// The CSP allows connections to this origin and to the backend on loopback.
    pub fn start_with(config: Config, port: u16) -> Result<Server> {
        let connect_src = crate::serve_csp::dev_connect_src(config.backend);
        Server::start_with_csp(config, port, &connect_src)
    }

    /// [`Server::start_with`], with the CSP's `connect-src` source list given.
    pub fn start_with_csp(config: Config, port: u16, connect_src: &str) -> Result<Server> {
        let csp = crate::serve_csp::policy(connect_src);
        let v4 = TcpListener::bind(("127.0.0.1", port))
            .map_err(|e| format!("cannot serve on 127.0.0.1:{port}: {e}"))?;
        let port = v4.local_addr().map_err(|e| e.to_string())?.port();
        let mut listeners = vec![v4];
        if let Ok(v6) = TcpListener::bind(("::1", port)) {
            listeners.push(v6);
        }
        let stop = Arc::new(AtomicBool::new(false));
        let config = Arc::new(config);
        let mut threads = Vec::new();
        let mut addrs = Vec::new();
        for l in listeners {
            addrs.push(l.local_addr().map_err(|e| e.to_string())?);
            let stop = Arc::clone(&stop);
            let config = Arc::clone(&config);
            let csp: Arc<str> = Arc::from(csp.as_str());
            threads.push(std::thread::spawn(move || {
                for conn in l.incoming() {
                    if stop.load(Ordering::SeqCst) {
                        break;
                    }
                    let Ok(conn) = conn else { continue };
                    let config = Arc::clone(&config);
                    let csp = Arc::clone(&csp);
                    std::thread::spawn(move || {
                        let _ = handle(conn, &config, &csp);
                    });
                }
            }));
        }
        Ok(Server {
            port,
            csp,
            stop,
            threads,
            addrs,
        })
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        for a in &self.addrs {
            // Wake the blocking accept() so the loop sees the flag.
            let _ = TcpStream::connect_timeout(a, Duration::from_millis(200));
        }
        for t in self.threads.drain(..) {
            let _ = t.join();
        }
    }
}

struct Head {
    method: String,
    target: String,
    version: String,
    headers: Vec<(String, String)>,
}

impl Head {
    fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }

    fn has_token(&self, name: &str, token: &str) -> bool {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case(name))
            .any(|(_, v)| v.split(',').any(|t| t.trim().eq_ignore_ascii_case(token)))
    }

    /// Whether `Accept-Encoding` lists `enc` without `q=0`.
    fn accepts_encoding(&self, enc: &str) -> bool {
        self.headers
            .iter()
            .filter(|(k, _)| k.eq_ignore_ascii_case("Accept-Encoding"))
            .flat_map(|(_, v)| v.split(','))
            .any(|item| {
                let mut parts = item.split(';').map(str::trim);
                parts.next().is_some_and(|t| t.eq_ignore_ascii_case(enc))
                    && !parts.any(|p| {
                        p.strip_prefix("q=")
                            .and_then(|q| q.parse::<f32>().ok())
                            .is_some_and(|q| q <= 0.0)
                    })
            })
    }

    fn path(&self) -> &str {
        self.target.split(['?', '#']).next().unwrap_or("/")
    }

    fn keep_alive(&self) -> bool {
        if self.has_token("Connection", "close") {
            return false;
        }
        self.version == "HTTP/1.1" || self.has_token("Connection", "keep-alive")
    }
}

/// The first line of a request or response and its header fields.
type RawHead = (String, Vec<(String, String)>);

/// Reads one request or response head (up to the blank line). `None` on a clean EOF before it.
fn read_head(r: &mut BufReader<TcpStream>) -> io::Result<Option<RawHead>> {
    let mut first = String::new();
    loop {
        first.clear();
        if r.read_line(&mut first)? == 0 {
            return Ok(None);
        }
        if !first.trim().is_empty() {
            break; // tolerate stray CRLFs between requests (RFC 9112 §2.2)
        }
    }
    let mut headers = Vec::new();
    let mut total = first.len();
    loop {
        let mut line = String::new();
        if r.read_line(&mut line)? == 0 {
            return Err(io::Error::new(
                io::ErrorKind::UnexpectedEof,
                "truncated head",
            ));
        }
        total += line.len();
        if total > 64 * 1024 {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "head too large"));
        }
        let line = line.trim_end_matches(['\r', '\n']);
        if line.is_empty() {
            break;
        }
        if let Some((k, v)) = line.split_once(':') {
            headers.push((k.trim().to_string(), v.trim().to_string()));
        }
    }
    Ok(Some((first.trim_end().to_string(), headers)))
}

fn handle(conn: TcpStream, config: &Config, csp: &str) -> io::Result<()> {
    let peer = conn.peer_addr().ok();
    conn.set_nodelay(true)?;
    // An idle keep-alive connection is closed after a while.
    conn.set_read_timeout(Some(Duration::from_secs(30)))?;
    let mut reader = BufReader::new(conn.try_clone()?);
    let mut out = conn;
    loop {
        let Some((line, headers)) = read_head(&mut reader)? else {
            return Ok(());
        };
        let mut parts = line.split_whitespace();
        let (Some(method), Some(target), Some(version)) =
            (parts.next(), parts.next(), parts.next())
        else {
            return simple(
                &mut out,
                400,
                "Bad Request",
                "text/plain",
                b"bad request\n",
                false,
                false,
            );
        };
        let head = Head {
            method: method.to_string(),
            target: target.to_string(),
            version: version.to_string(),
            headers,
        };
        let path = head.path().to_string();
        let is_ws_path = path == "/xmpp-websocket";
        let is_bosh_path = path == "/http-bind" || path.starts_with("/http-bind/");
        if is_ws_path && head.has_token("Upgrade", "websocket") {
            return websocket(reader, out, &head, config, peer);
        }
        if (is_ws_path || is_bosh_path) && config.backend.is_some() {
            return forward(reader, out, &head, config, peer);
        }
        let keep = head.keep_alive();
        // Static requests carry no body we care about; skip one if announced.
        if let Some(n) = head
            .header("Content-Length")
            .and_then(|v| v.parse::<u64>().ok())
        {
            io::copy(&mut (&mut reader).take(n), &mut io::sink())?;
        }
        if config.backend.is_some()
            && (path == "/.well-known/host-meta" || path == "/.well-known/host-meta.json")
        {
            host_meta(&mut out, &head, keep)?;
        } else {
            static_file(&mut out, &head, &config.dir, keep, csp)?;
        }
        if !keep {
            let _ = out.shutdown(Shutdown::Both);
            return Ok(());
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn simple(
    out: &mut TcpStream,
    status: u16,
    reason: &str,
    content_type: &str,
    body: &[u8],
    keep: bool,
    cors: bool,
) -> io::Result<()> {
    let mut h = format!(
        "HTTP/1.1 {status} {reason}\r\nContent-Type: {content_type}\r\nContent-Length: {}\r\n\
         Cache-Control: no-cache\r\n",
        body.len()
    );
    if cors {
        h.push_str("Access-Control-Allow-Origin: *\r\n");
    }
    h.push_str(if keep {
        "Connection: keep-alive\r\n\r\n"
    } else {
        "Connection: close\r\n\r\n"
    });
    out.write_all(h.as_bytes())?;
    out.write_all(body)?;
    out.flush()
}

/// XEP-0156 documents pointing at this origin (scheme http: the dev server has no TLS).
fn host_meta(out: &mut TcpStream, head: &Head, keep: bool) -> io::Result<()> {
    let host = head
        .header("Host")
        .filter(|h| {
            !h.is_empty()
                && h.chars()
                    .all(|c| c.is_ascii_alphanumeric() || "-.:[]".contains(c))
        })
        .unwrap_or("localhost");
    let ws = format!("ws://{host}/xmpp-websocket");
    let bosh = format!("http://{host}/http-bind");
    let (ctype, body) = if head.path().ends_with(".json") {
        (
            "application/json",
            format!(
                "{{\"links\":[{{\"rel\":\"urn:xmpp:alt-connections:websocket\",\"href\":\"{ws}\"}},\
                 {{\"rel\":\"urn:xmpp:alt-connections:xbosh\",\"href\":\"{bosh}\"}}]}}\n"
            ),
        )
    } else {
        (
            "application/xrd+xml; charset=utf-8",
            format!(
                "<?xml version='1.0' encoding='utf-8'?>\n<XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'>\n  \
                 <Link rel='urn:xmpp:alt-connections:websocket' href='{ws}'/>\n  \
                 <Link rel='urn:xmpp:alt-connections:xbosh' href='{bosh}'/>\n</XRD>\n"
            ),
        )
    };
    let body = if head.method == "HEAD" {
        Vec::new()
    } else {
        body.into_bytes()
    };
    simple(out, 200, "OK", ctype, &body, keep, true)
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

fn static_file(
    out: &mut TcpStream,
    head: &Head,
    root: &Path,
    keep: bool,
    csp: &str,
) -> io::Result<()> {
    if head.method != "GET" && head.method != "HEAD" {
        return simple(
            out,
            405,
            "Method Not Allowed",
            "text/plain",
            b"method not allowed\n",
            keep,
            false,
        );
    }
    let Some(file) = resolve(root, &head.target) else {
        return simple(
            out,
            404,
            "Not Found",
            "text/plain",
            b"not found\n",
            keep,
            false,
        );
    };
    // The dist's precompressed copies (dist::precompress), when the browser takes them.
    let (body, encoding) = ["br", "gzip"]
        .into_iter()
        .filter(|enc| head.accepts_encoding(enc))
        .map(|enc| {
            let ext = if enc == "br" { "br" } else { "gz" };
            let mut p = file.clone().into_os_string();
            p.push(".");
            p.push(ext);
            (PathBuf::from(p), Some(enc))
        })
        .find(|(p, _)| p.is_file())
        .unwrap_or_else(|| (file.clone(), None));
    let Ok(mut f) = std::fs::File::open(&body) else {
        return simple(
            out,
            403,
            "Forbidden",
            "text/plain",
            b"forbidden\n",
            keep,
            false,
        );
    };
    let len = f.metadata()?.len();
    write!(
        out,
        "HTTP/1.1 200 OK\r\nContent-Type: {}\r\nContent-Length: {len}\r\nCache-Control: no-cache\r\n\
         Content-Security-Policy: {csp}\r\nX-Content-Type-Options: nosniff\r\nVary: Accept-Encoding\r\n\
         Access-Control-Allow-Origin: *\r\nCross-Origin-Resource-Policy: cross-origin\r\n{}{}\r\n",
        content_type(&file),
        encoding.map_or(String::new(), |e| format!("Content-Encoding: {e}\r\n")),
        if keep {
            "Connection: keep-alive\r\n"
        } else {
            "Connection: close\r\n"
        }
    )?;
    if head.method == "GET" {
        io::copy(&mut f, out)?;
    }
    out.flush()
}

fn backend_conn(config: &Config) -> io::Result<TcpStream> {
    let port = config
        .backend
        .ok_or_else(|| io::Error::new(io::ErrorKind::NotFound, "no backend"))?;
    let s = TcpStream::connect_timeout(&([127, 0, 0, 1], port).into(), Duration::from_secs(5))?;
    s.set_nodelay(true)?;
    Ok(s)
}

/// The request head for the XMPP server: hop-by-hop headers replaced, `Host` kept (like nginx's
/// `proxy_set_header Host $host`), X-Forwarded-* added.
fn backend_head(head: &Head, peer: Option<SocketAddr>, upgrade: bool) -> String {
    let mut h = format!("{} {} HTTP/1.1\r\n", head.method, head.target);
    for (k, v) in &head.headers {
        let lk = k.to_ascii_lowercase();
        if matches!(
            lk.as_str(),
            "connection" | "keep-alive" | "proxy-connection" | "te" | "trailer" | "upgrade"
        ) || lk.starts_with("x-forwarded-")
        {
            continue;
        }
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    if upgrade {
        h.push_str("Upgrade: websocket\r\nConnection: Upgrade\r\n");
    } else {
        h.push_str("Connection: close\r\n");
    }
    if let Some(p) = peer {
        h.push_str(&format!("X-Forwarded-For: {}\r\n", p.ip()));
    }
    h.push_str("X-Forwarded-Proto: http\r\n\r\n");
    h
}

fn bad_gateway(out: &mut TcpStream, e: &io::Error) -> io::Result<()> {
    let body = format!("XMPP server not reachable: {e}\n");
    simple(
        out,
        502,
        "Bad Gateway",
        "text/plain",
        body.as_bytes(),
        false,
        false,
    )
}

/// Copies `from` to `to` until EOF or an error, then shuts both sockets down, which also ends
/// the copy in the other direction (a WebSocket is over when either side goes).
fn pipe(mut from: impl Read, from_sock: TcpStream, to: TcpStream) {
    let mut w = &to;
    let _ = io::copy(&mut from, &mut w);
    let _ = to.shutdown(Shutdown::Both);
    let _ = from_sock.shutdown(Shutdown::Both);
}

fn websocket(
    mut reader: BufReader<TcpStream>,
    mut out: TcpStream,
    head: &Head,
    config: &Config,
    peer: Option<SocketAddr>,
) -> io::Result<()> {
    match config.websocket {
        WebSocketMode::Refuse => {
            return simple(
                &mut out,
                403,
                "Forbidden",
                "text/plain",
                b"WebSocket refused by this proxy (--no-websocket)\n",
                false,
                false,
            )
        }
        WebSocketMode::Hang => {
            out.set_read_timeout(None)?;
            let _ = io::copy(&mut reader, &mut io::sink());
            return Ok(());
        }
        WebSocketMode::Proxy => {}
    }
    let backend = match backend_conn(config) {
        Ok(b) => b,
        Err(e) => return bad_gateway(&mut out, &e),
    };
    (&backend).write_all(backend_head(head, peer, true).as_bytes())?;
    // The client's bytes are read through `reader`, so any it sent right after the head (already
    // buffered) go first.
    reader.get_ref().set_read_timeout(None)?;
    let (b_read, b_sock, c_write) = (backend.try_clone()?, backend.try_clone()?, out.try_clone()?);
    let down = std::thread::spawn(move || pipe(b_read, b_sock, c_write));
    let c_sock = out.try_clone()?;
    pipe(reader, c_sock, backend);
    let _ = down.join();
    Ok(())
}

fn forward(
    mut reader: BufReader<TcpStream>,
    mut out: TcpStream,
    head: &Head,
    config: &Config,
    peer: Option<SocketAddr>,
) -> io::Result<()> {
    if head.has_token("Transfer-Encoding", "chunked") {
        return simple(
            &mut out,
            411,
            "Length Required",
            "text/plain",
            b"length required\n",
            false,
            false,
        );
    }
    let len = head
        .header("Content-Length")
        .and_then(|v| v.parse::<u64>().ok())
        .unwrap_or(0);
    let mut body = Vec::with_capacity(len.min(1 << 20) as usize);
    (&mut reader).take(len).read_to_end(&mut body)?;
    let backend = match backend_conn(config) {
        Ok(b) => b,
        Err(e) => return bad_gateway(&mut out, &e),
    };
    // BOSH holds a request for up to `wait` (60 s) seconds: allow more.
    backend.set_read_timeout(Some(Duration::from_secs(300)))?;
    (&backend).write_all(backend_head(head, peer, false).as_bytes())?;
    (&backend).write_all(&body)?;
    let mut breader = BufReader::new(backend);
    let Some((status, headers)) = read_head(&mut breader)? else {
        return bad_gateway(
            &mut out,
            &io::Error::new(io::ErrorKind::UnexpectedEof, "empty response"),
        );
    };
    let mut h = format!("{status}\r\n");
    let mut length = None;
    for (k, v) in &headers {
        let lk = k.to_ascii_lowercase();
        if matches!(
            lk.as_str(),
            "connection" | "keep-alive" | "proxy-connection"
        ) {
            continue;
        }
        if lk == "content-length" {
            length = v.parse::<u64>().ok();
        }
        h.push_str(&format!("{k}: {v}\r\n"));
    }
    h.push_str("Connection: close\r\n\r\n");
    out.write_all(h.as_bytes())?;
    let no_body = head.method == "HEAD"
        || status
            .split_whitespace()
            .nth(1)
            .is_some_and(|c| c.starts_with('1') || c == "204" || c == "304");
    if !no_body {
        match length {
            Some(n) => {
                io::copy(&mut (&mut breader).take(n), &mut out)?;
            }
            None => {
                io::copy(&mut breader, &mut out)?;
            }
        }
    }
    out.flush()?;
    let _ = out.shutdown(Shutdown::Both);
    Ok(())
}

/// `cargo xtask serve`: serve `dist/` (and, with `--xmpp-port`, proxy to an XMPP server) until
/// Ctrl-C or the parent process exits. Prints `READY {json}` once listening.
pub fn run_cmd(args: &[String]) -> Result {
    let mut a = Args::new(args);
    let port = a.parse("--port", 8080u16)?;
    let dir = a
        .value("--dir")?
        .map(PathBuf::from)
        .unwrap_or_else(crate::dist::dist_dir);
    let backend = a
        .value("--xmpp-port")?
        .map(|v| v.parse::<u16>())
        .transpose();
    let backend = backend.map_err(|_| "--xmpp-port: expected a port number".to_string())?;
    let connect_src = a
        .value("--connect-src")?
        .map(|v| crate::serve_csp::connect_src_option(&v))
        .transpose()?;
    let refuse = a.flag("--no-websocket");
    let hang = a.flag("--hang-websocket");
    a.finish()?;
    if refuse && hang {
        return Err("--no-websocket and --hang-websocket exclude each other".into());
    }
    if !dir.join("index.html").is_file() {
        return Err(format!(
            "{} has no index.html: run `cargo xtask dist` first",
            dir.display()
        ));
    }
    util::die_with_parent();
    util::catch_interrupts();
    let websocket = if refuse {
        WebSocketMode::Refuse
    } else if hang {
        WebSocketMode::Hang
    } else {
        WebSocketMode::Proxy
    };
    let connect_src = connect_src.unwrap_or_else(|| crate::serve_csp::dev_connect_src(backend));
    let server = Server::start_with_csp(
        Config {
            dir: dir.clone(),
            backend,
            websocket,
        },
        port,
        &connect_src,
    )?;
    let url = format!("http://localhost:{}/", server.port);
    let ready = serde_json::json!({
        "url": url,
        "port": server.port,
        "dir": dir,
        "xmpp_port": backend,
        "websocket": format!("{websocket:?}").to_lowercase(),
        "csp": server.csp,
    });
    println!("READY {ready}");
    eprintln!(
        "Serving {} on {url}{} (Ctrl-C stops)",
        dir.display(),
        match backend {
            Some(p) => format!(
                " with /xmpp-websocket ({websocket:?}), /http-bind and host-meta → 127.0.0.1:{p}"
            ),
            None => String::new(),
        }
    );
    let _ = io::stdout().flush();
    while !util::interrupted() {
        util::sleep_ms(100);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::Head;

    fn head(accept: &str) -> Head {
        Head {
            method: "GET".into(),
            target: "/app.wasm".into(),
            version: "HTTP/1.1".into(),
            headers: vec![("accept-encoding".into(), accept.into())],
        }
    }

    #[test]
    fn accepted_encodings() {
        assert!(head("gzip, deflate, br, zstd").accepts_encoding("br"));
        assert!(head("gzip;q=1.0, br;q=0.5").accepts_encoding("br"));
        assert!(!head("gzip, deflate").accepts_encoding("br"));
        assert!(!head("br;q=0, gzip").accepts_encoding("br"));
        assert!(head("br;q=0, gzip").accepts_encoding("gzip"));
        assert!(!head("brotli").accepts_encoding("br"));
    }
}
