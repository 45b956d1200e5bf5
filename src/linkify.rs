//! Splits message text into plain text and web links, so the view can build `<a>` nodes for
//! the links and text nodes for everything else. Pure: tested natively.

/// One piece of a message body.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Segment<'a> {
    Text(&'a str),
    /// An `http://` or `https://` URL, exactly as written.
    Link(&'a str),
}

const SCHEMES: [&str; 2] = ["https://", "http://"];

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
    let scheme = SCHEMES.iter().find(|s| {
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
        .find(|&(_, c)| c.is_whitespace() || c.is_control() || matches!(c, '<' | '>' | '"' | '`'))
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
    // Something must follow the scheme.
    (end > scheme.len()).then_some(end)
}

#[cfg(test)]
mod tests {
    use super::{split, Segment::*};

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
    fn segments_concatenate_to_the_input() {
        for s in [
            "a https://b.c d",
            "https://x.y/(z",
            "…http://é.fr!!",
            "<img src=x onerror=alert(1)>",
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
