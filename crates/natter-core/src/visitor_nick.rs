//! XEP-0172 nicknames carried in messages and presence: how an anonymous visitor (XEP-0175),
//! who has no roster entry, vCard or PEP node, tells the person it writes to what to call it.
//! The nick is the sender's own claim: untrusted, cleaned to one short line before anyone sees
//! it, and only ever a display name (never an address or a permission).

use minidom::Element;
use xmpp_parsers::message::Message;
use xmpp_parsers::nick::Nick;
use xmpp_parsers::ns;

/// Longest nick kept, in characters: a name, not a paragraph.
pub const MAX_NICK_CHARS: usize = 64;

/// A nick fit to show: trimmed, one line, no control characters, no bidi overrides or
/// isolates (which would let "Ann" reorder the text around her name), at most
/// [`MAX_NICK_CHARS`]. `None` when nothing is left.
pub fn clean(text: &str) -> Option<String> {
    let kept: String = text
        .chars()
        .map(|c| if c.is_control() { ' ' } else { c })
        .filter(|&c| !is_bidi_control(c) && c != '\u{FFFE}' && c != '\u{FFFF}')
        .collect();
    let trimmed = kept.trim();
    (!trimmed.is_empty())
        .then(|| trimmed.chars().take(MAX_NICK_CHARS).collect::<String>())
        .map(|s| s.trim_end().to_owned())
}

fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// The `<nick/>` a message or presence carries, cleaned.
pub fn read(payloads: &[Element]) -> Option<String> {
    payloads
        .iter()
        .find(|p| p.is("nick", ns::NICK))
        .and_then(|p| Nick::try_from(p.clone()).ok())
        .and_then(|n| clean(&n.0))
}

/// `<nick/>` for an outgoing stanza; nothing when the nick cleans down to nothing.
pub fn element(nick: &str) -> Option<Element> {
    clean(nick).map(|n| Nick(n).into())
}

pub fn add(mut message: Message, nick: Option<&str>) -> Message {
    if let Some(element) = nick.and_then(element) {
        message.payloads.push(element);
    }
    message
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn cleans_what_a_stranger_sends() {
        assert_eq!(clean("  Ann \n"), Some("Ann".into()));
        assert_eq!(clean("A\u{202E}nn\u{2066}"), Some("Ann".into()));
        assert_eq!(clean("a\u{0}b\tc"), Some("a b c".into()));
        assert_eq!(clean(" \u{200F} "), None);
        assert_eq!(clean(&"x".repeat(100)).map(|s| s.chars().count()), Some(64));
        assert_eq!(clean(&"é".repeat(70)).map(|s| s.chars().count()), Some(64));
    }

    #[test]
    fn reads_and_writes_the_element() {
        let message = add(Message::chat(None), Some(" Ann "));
        assert_eq!(read(&message.payloads), Some("Ann".into()));
        let element: Element = "<nick xmlns='http://jabber.org/protocol/nick'>\u{202E}Bob</nick>"
            .parse()
            .unwrap();
        assert_eq!(read(&[element]), Some("Bob".into()));
        assert!(add(Message::chat(None), Some("  ")).payloads.is_empty());
        assert!(add(Message::chat(None), None).payloads.is_empty());
    }
}
