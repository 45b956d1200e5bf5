//! The one rule for a URL that points at a file (an HTTP upload slot, an XEP-0066 OOB URL):
//! where it may be fetched from, and the file name and extension it shows. Shared by the
//! core (which refuses a slot it would not fetch) and the app (which decides between an
//! inline image, a player and a download link), so that both read a URL the same way.
//!
//! Only `https:` counts, and `http:` to a loopback host (`127.0.0.0/8`, `localhost`, `[::1]`)
//! because the local test servers have no TLS. Everything else (`http:` elsewhere,
//! `javascript:`, `data:`, URLs with credentials or whitespace) is not fetchable: the app
//! shows it as text, never as a link or a source.

/// A URL read far enough to decide what to do with it. Untrusted text in, plain data out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FileUrl<'a> {
    /// The URL as given (already checked to be free of whitespace and control characters).
    pub url: &'a str,
    /// `https` or `http`, lower case.
    pub scheme: &'static str,
    /// The host, lower case, without port (IPv6 keeps its brackets).
    pub host: String,
    /// The path (without query or fragment), still percent-encoded.
    pub path: &'a str,
}

impl<'a> FileUrl<'a> {
    /// Reads `url`; `None` for anything that is not a plain `http(s)://host/…` URL.
    pub fn parse(url: &'a str) -> Option<Self> {
        // Whitespace and controls have no place in a URL on the wire; a browser would strip
        // or reinterpret them, which is how `java\tscript:` tricks work.
        if url.is_empty()
            || url.len() > 4096
            || url.chars().any(|c| c.is_whitespace() || c.is_control())
        {
            return None;
        }
        let (scheme, rest) = url.split_once("://")?;
        let scheme = if scheme.eq_ignore_ascii_case("https") {
            "https"
        } else if scheme.eq_ignore_ascii_case("http") {
            "http"
        } else {
            return None;
        };
        let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
        let (authority, tail) = rest.split_at(end);
        // Credentials in the URL are a phishing device (`https://bank.example@evil.example/`).
        if authority.is_empty() || authority.contains(['@', '\\']) {
            return None;
        }
        let host = if let Some(v6) = authority.strip_prefix('[') {
            let close = v6.find(']')?;
            let port = &v6[close + 1..];
            if !(port.is_empty() || valid_port(port.strip_prefix(':')?)) {
                return None;
            }
            format!("[{}]", &v6[..close])
        } else {
            let (host, port) = match authority.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (authority, None),
            };
            if port.is_some_and(|p| !valid_port(p)) || host.is_empty() {
                return None;
            }
            host.to_ascii_lowercase()
        };
        let path_end = tail.find(['?', '#']).unwrap_or(tail.len());
        Some(FileUrl {
            url,
            scheme,
            host,
            path: &tail[..path_end],
        })
    }

    pub fn is_loopback(&self) -> bool {
        let host = self.host.trim_end_matches('.');
        host == "localhost"
            || host == "[::1]"
            || host.strip_prefix("127.").is_some_and(|rest| {
                rest.split('.').count() == 3 && rest.split('.').all(|o| o.parse::<u8>().is_ok())
            })
    }

    /// Whether the app may fetch it (`img src`, `PUT`, a link): `https`, or `http` on loopback.
    pub fn fetchable(&self) -> bool {
        self.scheme == "https" || self.is_loopback()
    }

    /// The last path segment, percent-decoded (invalid UTF-8 replaced), or `None` when the
    /// path ends in `/` or is empty. Text only: it may say anything.
    pub fn file_name(&self) -> Option<String> {
        let segment = self.path.rsplit('/').next().filter(|s| !s.is_empty())?;
        let name = percent_decode(segment);
        let name = name.trim();
        (!name.is_empty()).then(|| name.to_owned())
    }

    /// The file name's extension, lower case (`None` without a dot).
    pub fn extension(&self) -> Option<String> {
        let name = self.file_name()?;
        let (stem, ext) = name.rsplit_once('.')?;
        (!stem.is_empty() && !ext.is_empty()).then(|| ext.to_ascii_lowercase())
    }
}

/// Whether `url` is one the app may fetch (see the module docs).
pub fn fetchable(url: &str) -> bool {
    FileUrl::parse(url).is_some_and(|u| u.fetchable())
}

fn valid_port(port: &str) -> bool {
    !port.is_empty() && port.len() <= 5 && port.bytes().all(|b| b.is_ascii_digit())
}

fn percent_decode(text: &str) -> String {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| (b as char).to_digit(16);
        if bytes[i] == b'%' && i + 2 < bytes.len() {
            if let (Some(h), Some(l)) = (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                out.push((h * 16 + l) as u8);
                i += 3;
                continue;
            }
        }
        out.push(bytes[i]);
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn https_and_loopback_http_are_fetchable() {
        assert!(fetchable("https://upload.example.org/a/b.png"));
        assert!(fetchable("HTTPS://Example.org:8443/x"));
        assert!(fetchable("http://127.0.0.1:5280/file_share/x/a.png"));
        assert!(fetchable("http://localhost/a"));
        assert!(fetchable("http://[::1]:80/a"));
        assert!(!fetchable("http://example.org/a.png"));
        assert!(!fetchable("http://127.0.0.1.evil.example/a.png"));
        assert!(!fetchable("http://localhost.evil.example/a"));
        assert!(!fetchable("javascript:alert(1)//https://x"));
        assert!(!fetchable("javascript://%0aalert(1)"));
        assert!(!fetchable("data:image/png;base64,AAAA"));
        assert!(!fetchable("https://user:pw@example.org/a"));
        assert!(!fetchable("https://example.org/a b"));
        assert!(!fetchable("https://example.org/a\nb"));
        assert!(!fetchable("https:///a"));
        assert!(!fetchable("https://example.org:80x/a"));
        assert!(!fetchable(""));
    }

    #[test]
    fn file_name_is_the_decoded_last_segment() {
        let url = FileUrl::parse("https://h.example/x/y/My%20Photo.JPG?v=1#f").unwrap();
        assert_eq!(url.file_name().as_deref(), Some("My Photo.JPG"));
        assert_eq!(url.extension().as_deref(), Some("jpg"));
        let url = FileUrl::parse("https://h.example/x/%3Cb%3E%22.svg").unwrap();
        assert_eq!(url.file_name().as_deref(), Some("<b>\".svg"));
        assert_eq!(url.extension().as_deref(), Some("svg"));
        let url = FileUrl::parse("https://h.example/dir/").unwrap();
        assert_eq!(url.file_name(), None);
        let url = FileUrl::parse("https://h.example/.bashrc").unwrap();
        assert_eq!(url.extension(), None);
        // A lone or broken escape stays as written; bad UTF-8 becomes U+FFFD.
        let url = FileUrl::parse("https://h.example/a%2").unwrap();
        assert_eq!(url.file_name().as_deref(), Some("a%2"));
        let url = FileUrl::parse("https://h.example/%ff").unwrap();
        assert_eq!(url.file_name().as_deref(), Some("\u{fffd}"));
    }
}
