//! XEP-0156: finding a domain's WebSocket and BOSH endpoints from its
//! `/.well-known/host-meta` (XRD, XML) and `/.well-known/host-meta.json` (JRD).
//!
//! Parsing and the choice of documents to ask are pure and tested natively; the fetching is
//! wasm32-only ([`discover`]): every document is asked for at once, the first one that names a
//! usable endpoint wins, and the whole search is bounded in time.

use crate::endpoint::{self, Endpoint};

/// `Link` relation of an RFC 7395 (WebSocket) endpoint.
pub const REL_WEBSOCKET: &str = "urn:xmpp:alt-connections:websocket";
/// `Link` relation of an XEP-0206 (BOSH) endpoint.
pub const REL_BOSH: &str = "urn:xmpp:alt-connections:xbosh";
/// The XRD 1.0 namespace of `host-meta`.
pub const XRD_NS: &str = "http://docs.oasis-open.org/ns/xri/xrd-1.0";
/// Give up on discovery after this long and use the defaults.
pub const TIMEOUT_MS: u32 = 3_000;
/// How long the page's own origin is asked alone before the domain's `https://` documents
/// are asked as well (at once when the origin's answers fail sooner).
pub const ORIGIN_HEAD_START_MS: u32 = 1_000;
/// Documents larger than this are not host-meta; they are not parsed.
pub const MAX_DOCUMENT_BYTES: usize = 64 * 1024;

/// What discovery found: at most one endpoint of each kind, already checked.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Discovered {
    pub websocket: Option<Endpoint>,
    pub bosh: Option<Endpoint>,
}

impl Discovered {
    /// Nothing usable: the answer does not count.
    pub fn is_empty(&self) -> bool {
        self.websocket.is_none() && self.bosh.is_none()
    }
}

/// Which of the two documents a URL is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// `host-meta`: XRD.
    Xrd,
    /// `host-meta.json`: JRD.
    Json,
}

/// One link of a host-meta document, if its relation is an XMPP one and its target is an
/// absolute `ws(s)://` (WebSocket) or `http(s)://` (BOSH) URL of the matching kind.
///
/// Unencrypted targets (`ws://`, `http://`) are accepted only on a loopback host or when the
/// page itself was loaded over plain `http:` (then the user has no encryption to lose and the
/// browser would block nothing); an `https:` page never gets pointed at a clear-text endpoint
/// by a document it fetched.
pub fn accept_link(rel: &str, href: &str, page_is_http: bool) -> Option<Endpoint> {
    let endpoint = endpoint::parse_endpoint(href).ok()??;
    let kind_matches = matches!(
        (rel.trim(), &endpoint),
        (REL_WEBSOCKET, Endpoint::WebSocket(_)) | (REL_BOSH, Endpoint::Bosh(_))
    );
    if !kind_matches || endpoint.url().chars().any(char::is_control) {
        return None;
    }
    (endpoint.is_secure() || page_is_http).then_some(endpoint)
}

/// The first acceptable link of each kind, in document order.
pub fn from_links<'a>(
    links: impl IntoIterator<Item = (&'a str, &'a str)>,
    page_is_http: bool,
) -> Discovered {
    let mut found = Discovered::default();
    for (rel, href) in links {
        match accept_link(rel, href, page_is_http) {
            Some(ep @ Endpoint::WebSocket(_)) if found.websocket.is_none() => {
                found.websocket = Some(ep)
            }
            Some(ep @ Endpoint::Bosh(_)) if found.bosh.is_none() => found.bosh = Some(ep),
            _ => {}
        }
    }
    found
}

/// `host-meta` (XRD): the `<Link rel=… href=…/>` children of `<XRD/>`. Anything that is not
/// a well-formed XRD document yields nothing.
pub fn parse_xrd(xml: &str, page_is_http: bool) -> Discovered {
    if xml.len() > MAX_DOCUMENT_BYTES {
        return Discovered::default();
    }
    let Ok(root) = xml
        .trim_start_matches('\u{feff}')
        .parse::<minidom::Element>()
    else {
        return Discovered::default();
    };
    if !root.is("XRD", XRD_NS) {
        return Discovered::default();
    }
    let links = root
        .children()
        .filter(|c| c.is("Link", XRD_NS))
        .filter_map(|c| Some((c.attr("rel")?, c.attr("href")?)));
    from_links(links, page_is_http)
}

/// Whether a host name is this machine.
fn is_loopback(host: &str) -> bool {
    matches!(host, "localhost" | "127.0.0.1" | "[::1]" | "::1")
}

/// Whether the page that runs the client is served by the account's own domain (or both are
/// this machine): then its origin is asked first, which lets a self-hosted server (or the
/// dev setup, a page on http://localhost:8080 for alice@localhost) be found without TLS on
/// port 443.
pub fn page_serves_domain(page_host: &str, domain: &str) -> bool {
    let (page, domain) = (
        page_host.trim().trim_end_matches('.').to_ascii_lowercase(),
        domain.trim().trim_end_matches('.').to_ascii_lowercase(),
    );
    !page.is_empty() && (page == domain || (is_loopback(&page) && is_loopback(&domain)))
}

/// One document to ask for.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub url: String,
    pub format: Format,
    /// On the page's own origin: asked first.
    pub own_origin: bool,
}

/// The documents to ask, most preferred first: the page's own origin when it serves the
/// domain, then `https://<domain>/.well-known/…`. Both formats of each.
pub fn host_meta_urls(
    domain: &str,
    page_origin: Option<&str>,
    page_host: Option<&str>,
) -> Vec<Target> {
    let own = format!("https://{domain}");
    let mut bases = Vec::new();
    if let (Some(origin), Some(host)) = (page_origin, page_host) {
        let origin = origin.trim_end_matches('/');
        let lower = origin.to_ascii_lowercase();
        if page_serves_domain(host, domain)
            && (lower.starts_with("http://") || lower.starts_with("https://"))
        {
            bases.push((origin.to_string(), !origin.eq_ignore_ascii_case(&own)));
        }
    }
    if !bases.iter().any(|(b, _)| b.eq_ignore_ascii_case(&own)) {
        bases.push((own, false));
    }
    bases
        .into_iter()
        .flat_map(|(base, own_origin)| {
            [
                (format!("{base}/.well-known/host-meta"), Format::Xrd),
                (format!("{base}/.well-known/host-meta.json"), Format::Json),
            ]
            .map(|(url, format)| Target {
                url,
                format,
                own_origin,
            })
        })
        .collect()
}

#[cfg(target_arch = "wasm32")]
pub use browser::{discover, parse_json};

#[cfg(target_arch = "wasm32")]
mod browser {
    use std::cell::RefCell;
    use std::rc::Rc;
    use std::time::Duration;

    use js_sys::{Array, Reflect, JSON};
    use leptos::prelude::{set_timeout, window};
    use wasm_bindgen::{JsCast, JsValue};
    use wasm_bindgen_futures::JsFuture;
    use web_sys::{AbortController, RequestInit, Response};

    use super::{
        from_links, host_meta_urls, parse_xrd, Discovered, Format, MAX_DOCUMENT_BYTES,
        ORIGIN_HEAD_START_MS,
    };

    /// `host-meta.json` (JRD): `{"links":[{"rel":…,"href":…},…]}`, read with the browser's
    /// own JSON parser.
    pub fn parse_json(text: &str, page_is_http: bool) -> Discovered {
        if text.len() > MAX_DOCUMENT_BYTES {
            return Discovered::default();
        }
        let Ok(doc) = JSON::parse(text) else {
            return Discovered::default();
        };
        if !doc.is_object() {
            return Discovered::default();
        }
        let links = Reflect::get(&doc, &JsValue::from_str("links")).unwrap_or(JsValue::NULL);
        if !Array::is_array(&links) {
            return Discovered::default();
        }
        let field = |link: &JsValue, name: &str| {
            if !link.is_object() {
                return None;
            }
            Reflect::get(link, &JsValue::from_str(name))
                .ok()?
                .as_string()
        };
        let pairs: Vec<(String, String)> = Array::from(&links)
            .iter()
            .filter_map(|link| Some((field(&link, "rel")?, field(&link, "href")?)))
            .collect();
        from_links(
            pairs.iter().map(|(r, h)| (r.as_str(), h.as_str())),
            page_is_http,
        )
    }

    type Done = Box<dyn FnOnce(Discovered)>;

    struct Race {
        done: Option<Done>,
        page_is_http: bool,
        /// Requests started and not answered yet.
        pending: usize,
        /// Requests not started yet (the domain's, while the page's origin has its head start).
        later: Vec<(String, Format)>,
        controllers: Vec<AbortController>,
    }

    /// Ends the race (once): aborts what is still running, then reports.
    fn finish(race: &Rc<RefCell<Race>>, found: Discovered) {
        let done = {
            let mut r = race.borrow_mut();
            r.later.clear();
            for c in r.controllers.drain(..) {
                c.abort();
            }
            r.done.take()
        };
        if let Some(done) = done {
            done(found);
        }
    }

    fn start(race: &Rc<RefCell<Race>>, targets: Vec<(String, Format)>) {
        for (url, format) in targets {
            let init = RequestInit::new();
            {
                let mut r = race.borrow_mut();
                if r.done.is_none() {
                    return;
                }
                r.pending += 1;
                if let Ok(controller) = AbortController::new() {
                    init.set_signal(Some(&controller.signal()));
                    r.controllers.push(controller);
                }
            }
            let race = race.clone();
            wasm_bindgen_futures::spawn_local(async move {
                let page_is_http = race.borrow().page_is_http;
                let found = match fetch_text(&url, &init).await {
                    Some(text) => match format {
                        Format::Xrd => parse_xrd(&text, page_is_http),
                        Format::Json => parse_json(&text, page_is_http),
                    },
                    None => Discovered::default(),
                };
                let later = {
                    let mut r = race.borrow_mut();
                    r.pending = r.pending.saturating_sub(1);
                    if !found.is_empty() || r.pending > 0 {
                        None
                    } else {
                        Some(std::mem::take(&mut r.later))
                    }
                };
                match later {
                    None if !found.is_empty() => finish(&race, found),
                    None => {}
                    Some(later) if later.is_empty() => finish(&race, found),
                    Some(later) => start(&race, later),
                }
            });
        }
    }

    /// Asks for the host-meta documents of `domain` and calls `done` once: with the first
    /// answer that names a usable endpoint, or with nothing when every request failed or
    /// `timeout_ms` passed. The page's own origin (when it serves the domain) is asked first;
    /// the domain's documents follow when those fail or after a short head start.
    pub fn discover(domain: &str, timeout_ms: u32, done: impl FnOnce(Discovered) + 'static) {
        let location = window().location();
        let page_is_http = location.protocol().is_ok_and(|p| p == "http:");
        let (first, later): (Vec<_>, Vec<_>) = host_meta_urls(
            domain,
            location.origin().ok().as_deref(),
            location.hostname().ok().as_deref(),
        )
        .into_iter()
        .partition(|t| t.own_origin);
        let strip =
            |v: Vec<super::Target>| v.into_iter().map(|t| (t.url, t.format)).collect::<Vec<_>>();
        let (first, later) = (strip(first), strip(later));
        let race = Rc::new(RefCell::new(Race {
            done: Some(Box::new(done)),
            page_is_http,
            pending: 0,
            later: Vec::new(),
            controllers: Vec::new(),
        }));
        if first.is_empty() {
            start(&race, later);
        } else {
            race.borrow_mut().later = later;
            start(&race, first);
            let r = race.clone();
            set_timeout(
                move || {
                    let later = std::mem::take(&mut r.borrow_mut().later);
                    start(&r, later);
                },
                Duration::from_millis(ORIGIN_HEAD_START_MS.into()),
            );
        }
        set_timeout(
            move || finish(&race, Discovered::default()),
            Duration::from_millis(timeout_ms.into()),
        );
    }

    /// The body of a successful GET, or nothing (network error, CORS, HTTP error, aborted).
    async fn fetch_text(url: &str, init: &RequestInit) -> Option<String> {
        let response = JsFuture::from(window().fetch_with_str_and_init(url, init))
            .await
            .ok()?
            .dyn_into::<Response>()
            .ok()?;
        if !response.ok() {
            return None;
        }
        JsFuture::from(response.text().ok()?)
            .await
            .ok()?
            .as_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const XRD: &str = "<?xml version='1.0' encoding='utf-8'?>\n\
        <XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'>\n\
          <Link rel='urn:xmpp:alt-connections:websocket' href='wss://chat.example.org/xmpp-websocket'/>\n\
          <Link rel='urn:xmpp:alt-connections:xbosh' href='https://chat.example.org/http-bind'/>\n\
        </XRD>\n";

    fn ws(u: &str) -> Option<Endpoint> {
        Some(Endpoint::WebSocket(u.into()))
    }
    fn bosh(u: &str) -> Option<Endpoint> {
        Some(Endpoint::Bosh(u.into()))
    }

    #[test]
    fn xrd_with_both_links() {
        let d = parse_xrd(XRD, false);
        assert_eq!(d.websocket, ws("wss://chat.example.org/xmpp-websocket"));
        assert_eq!(d.bosh, bosh("https://chat.example.org/http-bind"));
        assert!(!d.is_empty());
    }

    #[test]
    fn xrd_as_prosody_serves_it_for_the_dev_setup() {
        // What `cargo xtask prosody` writes: clear-text links on loopback.
        let xml = "<?xml version='1.0' encoding='utf-8'?>\n<XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'>\n  \
             <Link rel='urn:xmpp:alt-connections:websocket' href='ws://127.0.0.1:5393/xmpp-websocket'/>\n  \
             <Link rel='urn:xmpp:alt-connections:xbosh' href='http://127.0.0.1:5393/http-bind'/>\n</XRD>\n";
        for page_is_http in [false, true] {
            let d = parse_xrd(xml, page_is_http);
            assert_eq!(d.websocket, ws("ws://127.0.0.1:5393/xmpp-websocket"));
            assert_eq!(d.bosh, bosh("http://127.0.0.1:5393/http-bind"));
        }
    }

    #[test]
    fn xrd_other_links_and_order() {
        let xml = "<XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'>\
            <Subject>example.org</Subject>\
            <Link rel='lrdd' template='https://example.org/lrdd?uri={uri}'/>\
            <Link rel='urn:xmpp:alt-connections:xbosh' href='https://a.example.org/bosh'/>\
            <Link rel='urn:xmpp:alt-connections:xbosh' href='https://b.example.org/bosh'/>\
            <Link rel='urn:xmpp:alt-connections:websocket'/>\
            </XRD>";
        let d = parse_xrd(xml, false);
        assert_eq!(d.websocket, None);
        assert_eq!(d.bosh, bosh("https://a.example.org/bosh"));
    }

    #[test]
    fn xrd_missing_links_or_not_xrd() {
        let empty = "<XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'/>";
        assert!(parse_xrd(empty, false).is_empty());
        // Not XRD at all: an HTML error page, JSON, garbage, the wrong root or namespace.
        for doc in [
            "<!DOCTYPE html><html><body>Not found</body></html>",
            "<html xmlns='http://www.w3.org/1999/xhtml'><body/></html>",
            r#"{"links":[]}"#,
            "",
            "<XRD xmlns='http://docs.oasis-open.org/ns/xri/xrd-1.0'><Link rel='urn:xmpp:alt-connections:websocket' href='wss://x.org/ws'/>",
            "<XRD xmlns='urn:other'><Link rel='urn:xmpp:alt-connections:websocket' href='wss://x.org/ws'/></XRD>",
            "<XRD><Link rel='urn:xmpp:alt-connections:websocket' href='wss://x.org/ws'/></XRD>",
        ] {
            assert!(parse_xrd(doc, true).is_empty(), "{doc}");
        }
        let huge = format!(
            "<XRD xmlns='{XRD_NS}'><Link rel='{REL_WEBSOCKET}' href='wss://x.org/ws'/>{}</XRD>",
            " ".repeat(MAX_DOCUMENT_BYTES)
        );
        assert!(parse_xrd(&huge, false).is_empty());
    }

    #[test]
    fn relative_and_garbage_hrefs_are_rejected() {
        for href in [
            "/xmpp-websocket",
            "xmpp-websocket",
            "//example.org/xmpp-websocket",
            "",
            "   ",
            "wss://",
            "wss:///path",
            "wss://exa mple.org/ws",
            "javascript:alert(1)",
            "data:text/plain,wss://x.org",
            "wss://x.org/\u{0}ws",
        ] {
            assert_eq!(accept_link(REL_WEBSOCKET, href, true), None, "{href:?}");
            assert_eq!(accept_link(REL_BOSH, href, true), None, "{href:?}");
        }
    }

    #[test]
    fn only_ws_and_http_schemes_of_the_matching_kind() {
        for href in [
            "ftp://x.org/ws",
            "xmpp:alice@x.org",
            "file:///etc/passwd",
            "tcp://x.org:5222",
        ] {
            assert_eq!(accept_link(REL_WEBSOCKET, href, true), None, "{href}");
            assert_eq!(accept_link(REL_BOSH, href, true), None, "{href}");
        }
        // A WebSocket relation pointing at an http URL (or the reverse) is a broken document.
        assert_eq!(
            accept_link(REL_WEBSOCKET, "https://x.org/http-bind", true),
            None
        );
        assert_eq!(
            accept_link(REL_BOSH, "wss://x.org/xmpp-websocket", true),
            None
        );
        assert_eq!(
            accept_link("urn:other", "wss://x.org/xmpp-websocket", true),
            None
        );
        assert_eq!(
            accept_link(REL_WEBSOCKET, "WSS://x.org/xmpp-websocket", false),
            ws("WSS://x.org/xmpp-websocket")
        );
        assert_eq!(
            accept_link(REL_BOSH, " https://x.org/http-bind ", false),
            bosh("https://x.org/http-bind")
        );
    }

    #[test]
    fn clear_text_only_on_loopback_or_from_a_clear_text_page() {
        // An https page: clear text only to this machine.
        assert_eq!(accept_link(REL_WEBSOCKET, "ws://x.org/ws", false), None);
        assert_eq!(accept_link(REL_BOSH, "http://x.org/http-bind", false), None);
        assert_eq!(
            accept_link(REL_WEBSOCKET, "ws://localhost:5280/ws", false),
            ws("ws://localhost:5280/ws")
        );
        assert_eq!(
            accept_link(REL_BOSH, "http://[::1]:5280/http-bind", false),
            bosh("http://[::1]:5280/http-bind")
        );
        assert_eq!(
            accept_link(REL_WEBSOCKET, "ws://127.0.0.1.evil.org/ws", false),
            None
        );
        // An http page has no encryption to lose.
        assert_eq!(
            accept_link(REL_WEBSOCKET, "ws://x.org/ws", true),
            ws("ws://x.org/ws")
        );
        assert_eq!(
            accept_link(REL_BOSH, "http://x.org/http-bind", true),
            bosh("http://x.org/http-bind")
        );
    }

    #[test]
    fn links_first_acceptable_of_each_kind() {
        let d = from_links(
            [
                (REL_WEBSOCKET, "ws://x.org/ws"), // clear text from an https page: skipped
                (REL_WEBSOCKET, "wss://x.org/ws"),
                (REL_WEBSOCKET, "wss://y.org/ws"),
                ("urn:xmpp:alt-connections:httppoll", "https://x.org/poll"),
            ],
            false,
        );
        assert_eq!(d.websocket, ws("wss://x.org/ws"));
        assert_eq!(d.bosh, None);
        assert!(from_links([], false).is_empty());
    }

    #[test]
    fn which_documents_to_ask() {
        let urls = |d, o, h| {
            host_meta_urls(d, o, h)
                .into_iter()
                .map(|t| t.url)
                .collect::<Vec<_>>()
        };
        assert_eq!(
            urls(
                "example.org",
                Some("https://app.other.net"),
                Some("app.other.net")
            ),
            [
                "https://example.org/.well-known/host-meta",
                "https://example.org/.well-known/host-meta.json"
            ]
        );
        // The dev setup: the page's own origin first.
        assert_eq!(
            urls(
                "localhost",
                Some("http://localhost:8080"),
                Some("localhost")
            ),
            [
                "http://localhost:8080/.well-known/host-meta",
                "http://localhost:8080/.well-known/host-meta.json",
                "https://localhost/.well-known/host-meta",
                "https://localhost/.well-known/host-meta.json"
            ]
        );
        assert_eq!(
            urls(
                "localhost",
                Some("http://127.0.0.1:8080"),
                Some("127.0.0.1")
            )
            .len(),
            4
        );
        // A site serving its own client on 443: asked once.
        let same = host_meta_urls(
            "example.org",
            Some("https://example.org"),
            Some("example.org"),
        );
        assert_eq!(same.len(), 2);
        assert_eq!(same[0].format, Format::Xrd);
        assert_eq!(same[1].format, Format::Json);
        assert!(same.iter().all(|t| !t.own_origin));
        let dev = host_meta_urls(
            "localhost",
            Some("http://localhost:8080"),
            Some("localhost"),
        );
        let first: Vec<bool> = dev.iter().map(|t| t.own_origin).collect();
        assert_eq!(first, [true, true, false, false]);
        // A page opened from a file or an extension has no usable origin.
        assert_eq!(urls("example.org", Some("null"), Some("")).len(), 2);
        assert_eq!(urls("example.org", None, None).len(), 2);
    }

    #[test]
    fn page_and_domain() {
        assert!(page_serves_domain("Example.org", "example.org"));
        assert!(page_serves_domain("localhost", "localhost"));
        assert!(page_serves_domain("127.0.0.1", "localhost"));
        assert!(!page_serves_domain("chat.example.org", "example.org"));
        assert!(!page_serves_domain("", "example.org"));
        assert!(!page_serves_domain("localhost", "example.org"));
    }
}
