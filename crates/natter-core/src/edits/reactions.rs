//! XEP-0444 reactions: the sender's whole set each time, checked before anything is kept.

use minidom::Element;
use xmpp_parsers::reactions::{Reaction, Reactions};

use super::ReactionSet;

/// Longest reaction kept, in characters: an emoji with modifiers and joiners fits; a
/// sentence smuggled in as a "reaction" does not.
pub const MAX_REACTION_CHARS: usize = 32;
/// Most distinct reactions one message shows (from all reactors together).
pub const MAX_REACTIONS: usize = 20;

/// A reaction the view may show: short, not blank, no control characters and no bidi
/// overrides or isolates (which would reorder the text around it).
pub fn valid_reaction(text: &str) -> bool {
    let count = text.chars().count();
    count > 0
        && count <= MAX_REACTION_CHARS
        && !text.trim().is_empty()
        && !text.chars().any(|c| c.is_control() || is_bidi_control(c))
}

fn is_bidi_control(c: char) -> bool {
    matches!(
        c,
        '\u{061C}' | '\u{200E}' | '\u{200F}' | '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}'
    )
}

/// The reactions in `element`, without the invalid ones and repeats, at most
/// [`MAX_REACTIONS`]. `None` when the element is not a usable `<reactions/>`.
pub(super) fn read(element: &Element) -> Option<ReactionSet> {
    let parsed = Reactions::try_from(element.clone()).ok()?;
    if parsed.id.is_empty() {
        return None;
    }
    Some(ReactionSet {
        id: parsed.id,
        reactions: clean(parsed.reactions.into_iter().map(|r| r.emoji)),
    })
}

/// Valid, distinct, bounded: what may be kept from a list of reactions.
pub fn clean(reactions: impl IntoIterator<Item = String>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for r in reactions {
        if out.len() == MAX_REACTIONS {
            break;
        }
        if valid_reaction(&r) && !out.contains(&r) {
            out.push(r);
        }
    }
    out
}

pub(super) fn element(set: &ReactionSet) -> Element {
    Reactions {
        id: crate::frame::xml_text(&set.id),
        reactions: clean(set.reactions.iter().cloned())
            .into_iter()
            .map(|emoji| Reaction { emoji })
            .collect(),
    }
    .into()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn checks_reactions() {
        assert!(valid_reaction("👍"));
        assert!(valid_reaction("👩‍👩‍👧‍👦"));
        assert!(valid_reaction("❤️"));
        assert!(!valid_reaction(""));
        assert!(!valid_reaction("  "));
        assert!(!valid_reaction("a\u{202E}b"));
        assert!(!valid_reaction("a\nb"));
        assert!(!valid_reaction(&"x".repeat(33)));
        assert!(valid_reaction(&"x".repeat(32)));
        let many = (0..30).map(|i| format!("r{i}"));
        assert_eq!(clean(many).len(), MAX_REACTIONS);
        assert_eq!(clean(["a".to_string(), "a".to_string()]), vec!["a"]);
    }
}
