//! What the embedding page asked for: the `<xmpp-chat>` attributes (or the options of
//! `NatterWidget.mount`), read once when the wasm mounts. Pure, so that it is tested natively.

use natter_core::jid::BareJid;

use crate::endpoint::{self, Endpoint};
use crate::i18n::{t, t_args};

/// Who the widget signs in as.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Account {
    /// A visitor: SASL ANONYMOUS on `domain`, after asking for a nickname.
    Anonymous,
    /// A real account: the sign-in form, prefilled with this address.
    Jid(BareJid),
}

/// What the widget shows once signed in.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Target {
    /// A one-to-one chat with this address (a shop's support account).
    Contact(BareJid),
    /// This room, joined with the visitor's nickname.
    Room(BareJid),
    /// Neither: the full client (only for a signed-in account).
    Everything,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The connection URL given by the page; `None`: discover on `domain` (XEP-0156).
    pub service: Option<Endpoint>,
    /// The XMPP domain to sign in on (a visitor's anonymous host).
    pub domain: Option<String>,
    pub account: Account,
    pub target: Target,
    /// The UI language the page asked for (`en`, `ru`); `None`: the browser's.
    pub lang: Option<String>,
}

impl Options {
    /// Reads the options from `get(name)` (an attribute or option by name). Every value is the
    /// embedding page's text: a malformed one is an error shown in the widget, never a panic.
    pub fn parse(get: impl Fn(&str) -> Option<String>) -> Result<Options, String> {
        let get = |name: &str| {
            get(name)
                .map(|v| v.trim().to_string())
                .filter(|v| !v.is_empty())
        };
        let service = match get("service") {
            Some(url) => endpoint::parse_endpoint(&url)?,
            None => None,
        };
        let account = match get("account").as_deref() {
            None | Some("anonymous") => Account::Anonymous,
            Some(jid) => Account::Jid(endpoint::parse_account(jid)?),
        };
        let target = match (get("contact"), get("room")) {
            (Some(_), Some(_)) => return Err(t("widget-contact-and-room")),
            (Some(c), None) => Target::Contact(endpoint::parse_contact(&c)?),
            (None, Some(r)) => Target::Room(endpoint::parse_contact(&r)?),
            (None, None) => Target::Everything,
        };
        let domain = match get("domain") {
            Some(d) => Some(
                BareJid::new(&d)
                    .ok()
                    .filter(|j| j.node().is_none())
                    .map(|j| j.domain().to_string())
                    .ok_or_else(|| {
                        t_args("widget-not-a-domain", &[("input", d.as_str().into())])
                    })?,
            ),
            None => match &account {
                Account::Jid(j) => Some(j.domain().to_string()),
                Account::Anonymous => None,
            },
        };
        if account == Account::Anonymous {
            if domain.is_none() {
                return Err(t("widget-needs-domain"));
            }
            if target == Target::Everything {
                return Err(t("widget-needs-target"));
            }
        }
        let lang = get("lang").filter(|l| l != "auto");
        Ok(Options {
            service,
            domain,
            account,
            target,
            lang,
        })
    }
}

impl Options {
    /// Where a visitor connects: the page's connection URL, else BOSH on the visitors' domain
    /// (BOSH first because its session survives a change of page, which a WebSocket cannot;
    /// see src/session/visitor.rs). `None`: no domain to connect to.
    pub fn visitor_endpoint(&self) -> Option<Endpoint> {
        self.service.clone().or_else(|| {
            let domain = self.domain.as_deref()?;
            Some(Endpoint::Bosh(format!("https://{domain}/http-bind")))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(pairs: &[(&str, &str)]) -> Result<Options, String> {
        Options::parse(|name| {
            pairs
                .iter()
                .find(|(k, _)| *k == name)
                .map(|(_, v)| v.to_string())
        })
    }

    #[test]
    fn visitor_to_support() {
        let o = parse(&[
            ("domain", "anon.localhost"),
            ("contact", "support@localhost"),
            ("service", "http://127.0.0.1:5280/http-bind"),
        ])
        .unwrap();
        assert_eq!(o.account, Account::Anonymous);
        assert_eq!(o.domain.as_deref(), Some("anon.localhost"));
        assert_eq!(
            o.target,
            Target::Contact("support@localhost".parse().unwrap())
        );
        assert_eq!(o.service.unwrap().transport_name(), "BOSH");
    }

    #[test]
    fn visitors_default_to_bosh_on_their_domain() {
        let o = parse(&[
            ("domain", "anon.example.org"),
            ("contact", "help@example.org"),
        ])
        .unwrap();
        assert_eq!(
            o.visitor_endpoint(),
            Some(Endpoint::Bosh("https://anon.example.org/http-bind".into()))
        );
        let ws = parse(&[
            ("domain", "anon.example.org"),
            ("contact", "help@example.org"),
            ("service", "wss://example.org/ws"),
        ])
        .unwrap();
        assert_eq!(ws.visitor_endpoint().unwrap().transport_name(), "WebSocket");
    }

    #[test]
    fn account_gives_the_domain() {
        let o = parse(&[
            ("account", "alice@example.org"),
            ("room", "lobby@conf.example.org"),
        ])
        .unwrap();
        assert_eq!(o.domain.as_deref(), Some("example.org"));
        assert_eq!(
            o.account,
            Account::Jid("alice@example.org".parse().unwrap())
        );
        assert!(matches!(o.target, Target::Room(_)));
        assert_eq!(o.service, None);
    }

    #[test]
    fn a_visitor_needs_a_domain_and_someone_to_talk_to() {
        assert!(parse(&[("contact", "support@localhost")]).is_err());
        assert!(parse(&[("domain", "anon.localhost")]).is_err());
        assert!(parse(&[("account", "alice@localhost")]).is_ok());
    }

    #[test]
    fn hostile_values_are_errors() {
        assert!(parse(&[("domain", "x"), ("contact", "a@b"), ("room", "c@d")]).is_err());
        assert!(parse(&[("account", "not a jid@@")]).is_err());
        assert!(parse(&[
            ("domain", "x"),
            ("contact", "a@b"),
            ("service", "javascript:alert(1)")
        ])
        .is_err());
    }
}
