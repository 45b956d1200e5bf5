//! The sample shop of `cargo xtask demo` (demo/shop/): static pages on a second origin that
//! embed the widget from the app's origin, sent under the strict host CSP the widget promises
//! to work with (e2e/lib/shop.mjs is the tests' copy of this server; keep the policy equal).

use crate::util::Result;
use std::io::{BufRead, BufReader, Write};
use std::net::{TcpListener, TcpStream};
use std::path::PathBuf;

/// What the shop pages' placeholders are filled with.
#[derive(Clone, Debug)]
pub struct Shop {
    /// The pages' directory (demo/shop).
    pub dir: PathBuf,
    /// URL of widget.js on the app's origin.
    pub widget: String,
    /// The widget's connection URL.
    pub service: String,
    /// The visitors' (anonymous) domain.
    pub domain: String,
    /// The support account visitors talk to.
    pub contact: String,
    /// XMPP endpoints the widget connects to (for connect-src).
    pub endpoints: Vec<String>,
}

impl Shop {
    /// The shop's Content-Security-Policy: scripts only from the widget's origin (plus
    /// 'wasm-unsafe-eval'), no 'unsafe-inline', no 'unsafe-eval'.
    pub fn csp(&self) -> String {
        let origin = origin(&self.widget);
        format!(
            "default-src 'self'; script-src {origin} 'wasm-unsafe-eval'; style-src 'self' {origin}; \
             connect-src {origin} {}; img-src 'self' {origin} data: blob:",
            self.endpoints.join(" ")
        )
    }

    /// Serves the shop on 127.0.0.1:`port` in a background thread.
    pub fn start(self, port: u16) -> Result<u16> {
        let listener = TcpListener::bind(("127.0.0.1", port))
            .map_err(|e| format!("shop: bind 127.0.0.1:{port}: {e}"))?;
        let port = listener.local_addr().map_err(|e| e.to_string())?.port();
        std::thread::spawn(move || {
            for stream in listener.incoming().flatten() {
                let shop = self.clone();
                std::thread::spawn(move || {
                    let _ = shop.answer(stream);
                });
            }
        });
        Ok(port)
    }

    fn answer(&self, mut stream: TcpStream) -> std::io::Result<()> {
        let mut line = String::new();
        let mut reader = BufReader::new(stream.try_clone()?);
        reader.read_line(&mut line)?;
        // Drain the head; the shop needs nothing from it.
        let mut h = String::new();
        while reader.read_line(&mut h)? > 2 {
            h.clear();
        }
        let target = line.split_whitespace().nth(1).unwrap_or("/");
        let path = target.split('?').next().unwrap_or("/");
        let query = target.split_once('?').map_or("", |(_, q)| q);
        let name = if path == "/" {
            "index.html"
        } else {
            &path[1..]
        };
        let (status, kind, body) = match self.page(name, query) {
            Some((kind, body)) => ("200 OK", kind, body),
            None => ("404 Not Found", "text/plain", "not found\n".to_string()),
        };
        write!(
            stream,
            "HTTP/1.1 {status}\r\nContent-Type: {kind}; charset=utf-8\r\nContent-Length: {}\r\n\
             Cache-Control: no-cache\r\nContent-Security-Policy: {}\r\nConnection: close\r\n\r\n{body}",
            body.len(),
            self.csp()
        )
    }

    /// A page with its placeholders filled (`?theme=dark&lang=ru` pick the widget's).
    fn page(&self, name: &str, query: &str) -> Option<(&'static str, String)> {
        let ok = !name.is_empty()
            && name
                .chars()
                .all(|c| c.is_ascii_lowercase() || c == '-' || c == '.')
            && !name.contains("..");
        let kind = match name.rsplit('.').next() {
            Some("html") => "text/html",
            Some("css") => "text/css",
            _ => return None,
        };
        if !ok {
            return None;
        }
        let text = std::fs::read_to_string(self.dir.join(name)).ok()?;
        if kind != "text/html" {
            return Some((kind, text));
        }
        let param = |k: &str| {
            query
                .split('&')
                .filter_map(|kv| kv.split_once('='))
                .find(|(key, _)| *key == k)
                .map(|(_, v)| v.to_string())
        };
        let theme = param("theme").unwrap_or_else(|| "auto".into());
        let lang = param("lang").unwrap_or_else(|| "auto".into());
        let fill = [
            ("{{WIDGET_JS}}", self.widget.as_str()),
            ("{{SERVICE}}", self.service.as_str()),
            ("{{DOMAIN}}", self.domain.as_str()),
            ("{{CONTACT}}", self.contact.as_str()),
            ("{{THEME}}", theme.as_str()),
            ("{{LANG}}", lang.as_str()),
        ];
        let mut out = text;
        for (k, v) in fill {
            // Attribute values: nothing that could leave the quotes.
            let clean: String = v.chars().filter(|c| !"\"<>&".contains(*c)).collect();
            out = out.replace(k, &clean);
        }
        Some((kind, out))
    }
}

fn origin(url: &str) -> &str {
    let after = url.find("://").map_or(0, |i| i + 3);
    url[after..].find('/').map_or(url, |j| &url[..after + j])
}

#[cfg(test)]
mod tests {
    use super::*;

    fn shop() -> Shop {
        Shop {
            dir: crate::util::root().join("demo/shop"),
            widget: "http://localhost:8080/widget.js".into(),
            service: "http://localhost:8080/http-bind".into(),
            domain: "anon.localhost".into(),
            contact: "support@localhost".into(),
            endpoints: vec!["http://localhost:8080/http-bind".into()],
        }
    }

    #[test]
    fn strict_policy_names_the_widget_origin() {
        let csp = shop().csp();
        assert!(
            csp.contains("script-src http://localhost:8080 'wasm-unsafe-eval';"),
            "{csp}"
        );
        assert!(
            !csp.contains("unsafe-inline") && !csp.contains("'unsafe-eval'"),
            "{csp}"
        );
    }

    #[test]
    fn pages_are_filled_and_nothing_else_is_served() {
        let (_, html) = shop().page("index.html", "theme=dark&lang=ru\"x").unwrap();
        assert!(html.contains("src=\"http://localhost:8080/widget.js\""));
        assert!(html.contains("theme=\"dark\"") && html.contains("lang=\"rux\""));
        assert!(!html.contains("{{"));
        assert!(shop().page("../Cargo.toml", "").is_none());
        assert!(shop().page("x.js", "").is_none());
    }
}
