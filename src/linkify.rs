//! Splits message text into plain text and links, so the view can build `<a>` nodes for the
//! links and text nodes for everything else. Pure: tested natively.
//!
//! Only `http:`, `https:`, `xmpp:` and `mailto:` become links; every other scheme
//! (`javascript:`, `data:`, `vbscript:`, `file:`, …) stays text, so a link can never run code or
//! open a local resource. A link ends at whitespace, controls, markup characters and the
//! invisible characters (bidi overrides, zero-width spaces) that could make the visible text of
//! a link differ from where it goes.

/// One piece of a message body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'a> {
    Text(&'a str),
    /// An `http(s)://`, `xmpp:` or `mailto:` URL, exactly as written; safe as an `href`.
    Link(&'a str),
}

/// The clickable schemes, with what must follow them.
const SCHEMES: [(&str, Rest); 4] = [
    ("https://", Rest::Host),
    ("http://", Rest::Host),
    ("xmpp:", Rest::Address),
    ("mailto:", Rest::Mailbox),
];

#[derive(Clone, Copy)]
enum Rest {
    /// Anything non-empty: the browser parses it as a web URL.
    Host,
    /// A JID (RFC 5122): starts with a letter or digit.
    Address,
    /// An e-mail address: starts with a letter or digit and holds an `@`.
    Mailbox,
}

/// Whether `url` may be used as a link target: one of the clickable schemes, nothing hidden.
/// The view can check an `href` built elsewhere with this.
pub fn is_safe_href(url: &str) -> bool {
    matches!(split(url).as_slice(), [Segment::Link(link)] if *link == url)
}

/// Characters that never belong in a link: they are invisible or reorder text, so a link
/// holding them could show one address and lead to another.
fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{00AD}'
            | '\u{061C}'
            | '\u{180E}'
            | '\u{200B}'..='\u{200F}'
            | '\u{202A}'..='\u{202E}'
            | '\u{2060}'..='\u{2069}'
            | '\u{FEFF}'
            | '\u{FFF9}'..='\u{FFFB}'
    )
}

/// Splits `text` into segments. Concatenating them gives `text` back.
pub fn split(text: &str) -> Vec<Segment<'_>> {
    let mut out = Vec::new();
    let mut plain_start = 0;
    let mut i = 0;
    let bytes = text.as_bytes();
    while i < bytes.len() {
        if let Some(len) = link_at(text, i) {
            if plain_start < i {
                out.push(Segment::Text(&text[plain_start..i]));
            }
            out.push(Segment::Link(&text[i..i + len]));
            i += len;
            plain_start = i;
        } else {
            i += 1;
            while i < bytes.len() && !text.is_char_boundary(i) {
                i += 1;
            }
        }
    }
    if plain_start < text.len() {
        out.push(Segment::Text(&text[plain_start..]));
    }
    out
}

/// Length of the link starting at byte `i`, if one does.
fn link_at(text: &str, i: usize) -> Option<usize> {
    let rest = &text[i..];
    let (scheme, kind) = SCHEMES.iter().find(|(s, _)| {
        rest.len() >= s.len() && rest.as_bytes()[..s.len()].eq_ignore_ascii_case(s.as_bytes())
    })?;
    // Must start a word: "xhttp://" is not a link.
    if let Some(prev) = text[..i].chars().next_back() {
        if prev.is_alphanumeric() || prev == '/' || prev == '@' {
            return None;
        }
    }
    let mut end = rest
        .char_indices()
        .find(|&(_, c)| {
            c.is_whitespace()
                || c.is_control()
                || is_invisible(c)
                || matches!(c, '<' | '>' | '"' | '`' | '\\')
        })
        .map_or(rest.len(), |(k, _)| k);
    // Trailing punctuation belongs to the sentence, not the URL; a closing bracket stays when
    // the URL opened one (https://en.wikipedia.org/wiki/Rust_(programming_language)).
    while let Some(last) = rest[..end].chars().next_back() {
        let strip = match last {
            '.' | ',' | ';' | ':' | '!' | '?' | '\'' | '*' => true,
            ')' => rest[..end].matches('(').count() < rest[..end].matches(')').count(),
            ']' => rest[..end].matches('[').count() < rest[..end].matches(']').count(),
            '}' => rest[..end].matches('{').count() < rest[..end].matches('}').count(),
            _ => false,
        };
        if !strip {
            break;
        }
        end -= last.len_utf8();
    }
    let after = &rest[scheme.len()..end.max(scheme.len())];
    let starts_word = after.chars().next().is_some_and(char::is_alphanumeric);
    let ok = match kind {
        Rest::Host => !after.is_empty(),
        Rest::Address => starts_word,
        Rest::Mailbox => starts_word && after.contains('@'),
    };
    ok.then_some(end)
}

#[cfg(test)]
mod tests {
    use super::{is_safe_href, split, Segment::*};

    #[test]
    fn plain_text_is_one_segment() {
        assert_eq!(split("hello there"), vec![Text("hello there")]);
        assert!(split("").is_empty());
    }

    #[test]
    fn finds_links_and_keeps_the_rest_as_text() {
        assert_eq!(
            split("see https://example.org/a?b=c#d, and http://x.y."),
            vec![
                Text("see "),
                Link("https://example.org/a?b=c#d"),
                Text(", and "),
                Link("http://x.y"),
                Text("."),
            ]
        );
        assert_eq!(
            split("HTTPS://EXAMPLE.ORG"),
            vec![Link("HTTPS://EXAMPLE.ORG")]
        );
    }

    #[test]
    fn brackets_balance() {
        assert_eq!(
            split("(https://en.wikipedia.org/wiki/Rust_(programming_language))"),
            vec![
                Text("("),
                Link("https://en.wikipedia.org/wiki/Rust_(programming_language)"),
                Text(")"),
            ]
        );
    }

    #[test]
    fn other_schemes_and_markup_stay_text() {
        assert_eq!(
            split("javascript:alert(1)"),
            vec![Text("javascript:alert(1)")]
        );
        assert_eq!(split("https://"), vec![Text("https://")]);
        assert_eq!(split("xhttps://a.b"), vec![Text("xhttps://a.b")]);
        assert_eq!(
            split("<a href=\"https://e.org\">x</a>"),
            vec![Text("<a href=\""), Link("https://e.org"), Text("\">x</a>")]
        );
        assert_eq!(
            split("ünïcödé https://ex.org/ä ok"),
            vec![Text("ünïcödé "), Link("https://ex.org/ä"), Text(" ok")]
        );
    }

    #[test]
    fn xmpp_and_mailto_are_links() {
        assert_eq!(
            split("join xmpp:room@muc.example.org?join or mailto:bob@example.org."),
            vec![
                Text("join "),
                Link("xmpp:room@muc.example.org?join"),
                Text(" or "),
                Link("mailto:bob@example.org"),
                Text("."),
            ]
        );
        assert_eq!(split("XMPP:example.org"), vec![Link("XMPP:example.org")]);
        // A scheme alone, or one not followed by an address, is text.
        for text in [
            "xmpp:",
            "xmpp: x",
            "mailto:",
            "mailto:nobody",
            "xmpp:/etc/passwd",
        ] {
            assert_eq!(split(text), vec![Text(text)], "{text:?}");
        }
    }

    #[test]
    fn only_four_schemes_are_clickable() {
        for text in [
            "javascript:alert(1)",
            "JaVaScRiPt:alert(1)",
            "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
            "vbscript:msgbox(1)",
            "file:///etc/passwd",
            "ftp://example.org/x",
            "about:blank",
            "tel:+123456789",
            "java\u{0}script:alert(1)",
            "\u{200B}javascript:alert(1)",
        ] {
            assert!(
                split(text).iter().all(|s| matches!(s, Text(_))),
                "{text:?} must stay text: {:?}",
                split(text)
            );
        }
        // A clickable scheme later in the text does not make what comes before it a link.
        assert_eq!(
            split("javascript:https://x.y"),
            vec![Text("javascript:"), Link("https://x.y")]
        );
    }

    #[test]
    fn invisible_characters_end_a_link() {
        // Right-to-left override: the rest would be shown reversed, hiding where it goes.
        assert_eq!(
            split("https://example.org/\u{202E}gpj.exe"),
            vec![Link("https://example.org/"), Text("\u{202E}gpj.exe")]
        );
        assert_eq!(
            split("https://good.example\u{200B}.evil.example"),
            vec![Link("https://good.example"), Text("\u{200B}.evil.example")]
        );
        assert_eq!(
            split("https://a.b\u{2066}c\u{2069}"),
            vec![Link("https://a.b"), Text("\u{2066}c\u{2069}")]
        );
        assert_eq!(
            split("https://a.b\\@evil"),
            vec![Link("https://a.b"), Text("\\@evil")]
        );
    }

    #[test]
    fn safe_hrefs() {
        for ok in ["https://a.b/c", "http://x", "xmpp:a@b", "mailto:a@b.c"] {
            assert!(is_safe_href(ok), "{ok}");
        }
        for bad in [
            "javascript:alert(1)",
            "data:,x",
            " https://a.b",
            "https://a.b c",
            "https://a.b\u{202E}",
            "",
        ] {
            assert!(!is_safe_href(bad), "{bad:?}");
        }
    }

    #[test]
    fn segments_concatenate_to_the_input() {
        for s in [
            "a https://b.c d",
            "https://x.y/(z",
            "…http://é.fr!!",
            "<img src=x onerror=alert(1)>",
            "xmpp:a@b\u{202E}x mailto:c@d",
            "\u{FEFF}https://e.f\u{200D}g",
        ] {
            let joined: String = split(s)
                .into_iter()
                .map(|seg| match seg {
                    Text(t) | Link(t) => t,
                })
                .collect();
            assert_eq!(joined, s);
        }
    }
}
