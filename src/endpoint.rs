//! From what the user typed on the sign-in form to what the driver connects to. Pure: tested
//! natively.

use natter_core::jid::BareJid;

use crate::i18n::{t, t_args};

/// Which transport a connection URL means.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Endpoint {
    /// `ws://` or `wss://` (RFC 7395).
    WebSocket(String),
    /// `http://` or `https://` (XEP-0206).
    Bosh(String),
}

impl Endpoint {
    pub fn url(&self) -> &str {
        match self {
            Endpoint::WebSocket(u) | Endpoint::Bosh(u) => u,
        }
    }

    pub fn transport_name(&self) -> &'static str {
        match self {
            Endpoint::WebSocket(_) => "WebSocket",
            Endpoint::Bosh(_) => "BOSH",
        }
    }

    /// Encrypted (`wss`/`https`) or on loopback: only then may SASL PLAIN be used.
    pub fn is_secure(&self) -> bool {
        is_secure(self.url())
    }
}

/// The account address from the form, in plain words when it is not one.
pub fn parse_account(input: &str) -> Result<BareJid, String> {
    let input = input.trim();
    if input.is_empty() {
        return Err(t("login-address-empty"));
    }
    let jid = BareJid::new(input)
        .map_err(|_| t_args("login-address-invalid", &[("input", input.into())]))?;
    if jid.node().is_none() {
        return Err(t_args("login-address-no-user", &[("input", input.into())]));
    }
    Ok(jid)
}

/// A contact's address from the "Add contact" form.
pub fn parse_contact(input: &str) -> Result<BareJid, String> {
    let input = input.trim();
    if input.is_empty() {
        return Err(t("login-contact-empty"));
    }
    match BareJid::new(input) {
        Ok(jid) if jid.node().is_some() => Ok(jid),
        _ => Err(t_args("login-contact-invalid", &[("input", input.into())])),
    }
}

/// The connection URL from the form: `Ok(None)` when empty (then discover or use defaults).
pub fn parse_endpoint(input: &str) -> Result<Option<Endpoint>, String> {
    let url = input.trim();
    if url.is_empty() {
        return Ok(None);
    }
    let lower = url.to_ascii_lowercase();
    let bad = || t_args("login-url-invalid", &[("url", url.into())]);
    let scheme_end = lower.find("://").ok_or_else(bad)?;
    if host(url).is_none_or(str::is_empty) || url.chars().any(char::is_whitespace) {
        return Err(bad());
    }
    match &lower[..scheme_end] {
        "ws" | "wss" => Ok(Some(Endpoint::WebSocket(url.to_string()))),
        "http" | "https" => Ok(Some(Endpoint::Bosh(url.to_string()))),
        _ => Err(bad()),
    }
}

/// The WebSocket default when the user gave no URL and discovery (XEP-0156) found nothing;
/// [`crate::plan::defaults`] has both defaults, in the order they are tried.
pub fn default_endpoint(jid: &BareJid) -> Endpoint {
    Endpoint::WebSocket(format!("wss://{}/xmpp-websocket", jid.domain()))
}

/// The host of a URL, lower-cased, without port or brackets' content changed (`[::1]` stays).
pub fn host(url: &str) -> Option<&str> {
    let rest = &url[url.find("://")? + 3..];
    let authority = &rest[..rest.find(['/', '?', '#']).unwrap_or(rest.len())];
    let hostport = &authority[authority.rfind('@').map_or(0, |k| k + 1)..];
    if hostport.starts_with('[') {
        return Some(&hostport[..=hostport.find(']')?]);
    }
    Some(&hostport[..hostport.find(':').unwrap_or(hostport.len())])
}

/// `wss://`/`https://`, or a loopback host.
pub fn is_secure(url: &str) -> bool {
    let lower = url.trim().to_ascii_lowercase();
    if lower.starts_with("wss://") || lower.starts_with("https://") {
        return true;
    }
    matches!(host(&lower), Some("127.0.0.1" | "localhost" | "[::1]"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accounts() {
        assert_eq!(
            parse_account(" alice@example.org ").unwrap().to_string(),
            "alice@example.org"
        );
        assert!(parse_account("")
            .unwrap_err()
            .contains("Enter your address"));
        assert!(parse_account("example.org")
            .unwrap_err()
            .contains("missing your user name"));
        assert!(parse_account("a@b@c").is_err());
        assert!(parse_account("alice@").is_err());
    }

    #[test]
    fn errors_quote_the_input_in_both_languages() {
        assert_eq!(
            parse_account("bob").unwrap_err(),
            "\u{201c}bob\u{201d} is missing your user name. Use the form alice@example.org."
        );
        assert_eq!(
            parse_endpoint("ftp://x.org").unwrap_err(),
            "\u{201c}ftp://x.org\u{201d} is not a connection URL. Use one that starts with \
             wss:// (or ws://, https://, http://)."
        );
        crate::i18n::set_locale(crate::i18n::Locale::Ru);
        let ru = parse_account("a@b@c").unwrap_err();
        let url = parse_endpoint("x.org").unwrap_err();
        crate::i18n::set_locale(crate::i18n::Locale::En);
        assert_eq!(
            ru,
            "«a@b@c» — неверный адрес. Адрес выглядит так: alice@example.org."
        );
        assert!(url.starts_with("«x.org» — не адрес подключения"), "{url}");
    }

    #[test]
    fn contacts() {
        assert_eq!(parse_contact("bob@x.org").unwrap().to_string(), "bob@x.org");
        assert!(parse_contact("").is_err());
        assert!(parse_contact("x.org").is_err());
    }

    #[test]
    fn endpoints() {
        assert_eq!(parse_endpoint("  "), Ok(None));
        assert_eq!(
            parse_endpoint("ws://127.0.0.1:5280/xmpp-websocket"),
            Ok(Some(Endpoint::WebSocket(
                "ws://127.0.0.1:5280/xmpp-websocket".into()
            )))
        );
        assert_eq!(
            parse_endpoint("HTTPS://x.org/http-bind"),
            Ok(Some(Endpoint::Bosh("HTTPS://x.org/http-bind".into())))
        );
        assert!(parse_endpoint("ftp://x.org").is_err());
        assert!(parse_endpoint("example.org").is_err());
        assert!(parse_endpoint("wss://").is_err());
        let jid = parse_account("alice@example.org").unwrap();
        assert_eq!(
            default_endpoint(&jid),
            Endpoint::WebSocket("wss://example.org/xmpp-websocket".into())
        );
    }

    #[test]
    fn hosts() {
        assert_eq!(host("ws://127.0.0.1:5280/x"), Some("127.0.0.1"));
        assert_eq!(host("ws://[::1]:5280/x"), Some("[::1]"));
        assert_eq!(host("wss://user@example.org"), Some("example.org"));
        assert_eq!(host("wss://example.org?x"), Some("example.org"));
        assert_eq!(host("nothing"), None);
    }

    #[test]
    fn secure_means_encrypted_or_loopback() {
        assert!(is_secure("wss://example.org/xmpp-websocket"));
        assert!(is_secure("https://example.org/http-bind"));
        assert!(is_secure("ws://127.0.0.1:5280/xmpp-websocket"));
        assert!(is_secure("ws://localhost/xmpp-websocket"));
        assert!(is_secure("ws://LOCALHOST:80/"));
        assert!(is_secure("ws://[::1]:5280/"));
        assert!(!is_secure("ws://example.org/xmpp-websocket"));
        assert!(!is_secure("http://192.168.1.2:5280/http-bind"));
        assert!(!is_secure("ws://127.0.0.1.evil.org/"));
        assert!(!is_secure("ws://localhost.evil.org/"));
    }
}
