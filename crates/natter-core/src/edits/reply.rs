//! XEP-0461 replies and their XEP-0428 fallback: a `> quoted` prefix of the body that old
//! clients show and we cut out, showing our own quote of the original instead.

use jid::Jid;
use minidom::rxml::xml_ncname;
use minidom::Element;
use xmpp_parsers::message::Message;

use super::{Edits, FALLBACK};

pub const NS: &str = "urn:xmpp:reply:0";

/// The most of the quoted text kept from a fallback or put into one, in characters.
pub const QUOTE_CHARS: usize = 200;

/// A reply to the message `id` (the original's `id`, or origin-id, in a one-to-one chat).
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Reply {
    /// The original's sender, as the replier names it. Untrusted: the store decides whose
    /// message it is by looking the id up.
    pub to: Option<Jid>,
    pub id: String,
    /// The replied-to text: for an incoming reply the fallback quote the sender wrote
    /// (shown when we do not have the original); for an outgoing one the text quoted in
    /// the fallback for old clients.
    pub quote: Option<String>,
    /// The fallback's place in the body as received, in code points, until
    /// [`strip_fallback`] cuts it out.
    pub fallback: Option<(usize, usize)>,
}

pub(super) fn read(element: &Element, message: &Message) -> Option<Reply> {
    let id = element.attr("id").filter(|id| !id.is_empty())?.to_owned();
    let to = element.attr("to").and_then(|t| t.parse::<Jid>().ok());
    let body = message.get_best_body(vec!["en"]).map(|(_, b)| b.as_str());
    let fallback = body.and_then(|body| {
        let (start, end) = fallback_range(message)?;
        byte_range(body, start, end).map(|_| (start, end))
    });
    let quote = match (body, fallback) {
        (Some(body), Some((start, end))) => {
            byte_range(body, start, end).map(|(s, e)| unquote(&body[s..e]))
        }
        _ => None,
    }
    .filter(|q| !q.is_empty());
    Some(Reply {
        to,
        id,
        quote,
        fallback,
    })
}

/// The `<body start end/>` of the fallback that is for replies. Offsets are whatever the
/// sender wrote: checked against the body only in [`byte_range`].
fn fallback_range(message: &Message) -> Option<(usize, usize)> {
    let fallback = message
        .payloads
        .iter()
        .find(|p| p.is("fallback", FALLBACK) && p.attr("for") == Some(NS))?;
    let body = fallback.get_child("body", FALLBACK)?;
    let start = body.attr("start")?.parse().ok()?;
    let end = body.attr("end")?.parse().ok()?;
    Some((start, end))
}

/// The byte range of the code points `start..end` of `body`, if it lies inside it.
fn byte_range(body: &str, start: usize, end: usize) -> Option<(usize, usize)> {
    if start > end {
        return None;
    }
    let mut bounds = body
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(body.len()));
    let s = bounds.nth(start)?;
    let e = if end == start {
        s
    } else {
        bounds.nth(end - start - 1)?
    };
    Some((s, e))
}

/// The quoted text of a `> ` fallback: the quote markers gone, at most [`QUOTE_CHARS`].
fn unquote(fallback: &str) -> String {
    let lines: Vec<&str> = fallback
        .lines()
        .map(|l| {
            l.strip_prefix('>')
                .map_or(l, |l| l.strip_prefix(' ').unwrap_or(l))
        })
        .collect();
    lines.join("\n").trim().chars().take(QUOTE_CHARS).collect()
}

/// `body` without the reply fallback `edits` points at (when the range is valid), which
/// is then forgotten: it described the body as sent, not as kept.
pub fn strip_fallback(body: String, edits: &mut Edits) -> String {
    let Some(reply) = edits.reply.as_mut() else {
        return body;
    };
    let Some((start, end)) = reply.fallback.take() else {
        return body;
    };
    match byte_range(&body, start, end) {
        Some((s, e)) => {
            let mut out = String::with_capacity(body.len() - (e - s));
            out.push_str(&body[..s]);
            out.push_str(&body[e..]);
            out
        }
        None => body,
    }
}

/// Writes the reply: the `<reply/>` element, and when there is a quote, the `> ` prefix of
/// the body and the fallback element that marks it.
pub(super) fn add(mut message: Message, reply: &Reply) -> Message {
    let mut element = Element::builder("reply", NS)
        .attr(xml_ncname!("id").into(), crate::frame::xml_text(&reply.id));
    if let Some(to) = &reply.to {
        element = element.attr(xml_ncname!("to").into(), to.to_string());
    }
    message.payloads.push(element.build());
    let quote = reply
        .quote
        .as_deref()
        .map(|q| {
            crate::frame::xml_text(q)
                .chars()
                .take(QUOTE_CHARS)
                .collect::<String>()
        })
        .filter(|q| !q.trim().is_empty());
    let Some(quote) = quote else {
        return message;
    };
    let mut prefix: String = quote.lines().map(|l| format!("> {l}\n")).collect();
    if prefix.is_empty() {
        prefix.push_str(">\n");
    }
    let end = prefix.chars().count();
    for body in message.bodies.values_mut() {
        body.insert_str(0, &prefix);
    }
    message.payloads.push(
        Element::builder("fallback", FALLBACK)
            .attr(xml_ncname!("for").into(), NS)
            .append(
                Element::builder("body", FALLBACK)
                    .attr(xml_ncname!("start").into(), "0")
                    .attr(xml_ncname!("end").into(), end.to_string())
                    .build(),
            )
            .build(),
    );
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn byte_ranges_are_checked() {
        assert_eq!(byte_range("héllo", 0, 2), Some((0, 3)));
        assert_eq!(byte_range("héllo", 1, 1), Some((1, 1)));
        assert_eq!(byte_range("héllo", 0, 5), Some((0, 6)));
        assert_eq!(byte_range("héllo", 0, 6), None);
        assert_eq!(byte_range("héllo", 3, 2), None);
        assert_eq!(byte_range("héllo", usize::MAX, usize::MAX), None);
        assert_eq!(byte_range("", 0, 0), Some((0, 0)));
        assert_eq!(unquote("> a\n>b\n"), "a\nb");
    }
}
