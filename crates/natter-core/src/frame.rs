//! RFC 7395 frames: one complete XML element per transport message, in and out.
//!
//! Everything the server sends passes through [`parse`] first, so the limits that keep a hostile
//! server from exhausting memory or stack live here.

use minidom::rxml::{Options, RawEvent, RawReader};
use minidom::tree_builder::TreeBuilder;
use minidom::Element;

/// Largest frame we accept. Real stanzas are far smaller; the bound only stops abuse.
pub const MAX_FRAME_BYTES: usize = 8 * 1024 * 1024;

/// Deepest element nesting we keep. Dropping, converting and serializing elements recurse, so
/// an unbounded depth could overflow the (small, on wasm) stack long before the size limit.
/// Elements below it are cut off, not refused: a server relays such a stanza from anyone, and
/// refusing the frame would end the session.
pub const MAX_DEPTH: usize = 64;

/// Deepest nesting we read through at all (the parser keeps a stack of open elements); a frame
/// deeper than this is refused.
pub const MAX_READ_DEPTH: usize = 10_000;

/// Why a frame was rejected. `Display` gives plain words for `Error::Protocol`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum FrameError {
    TooLarge,
    NotUtf8,
    TooDeep,
    NotWellFormed,
    TrailingData,
}

impl std::fmt::Display for FrameError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            FrameError::TooLarge => "a message from the server was larger than 8 MiB",
            FrameError::NotUtf8 => "a message from the server was not valid UTF-8 text",
            FrameError::TooDeep => "a message from the server was nested too deeply",
            FrameError::NotWellFormed => "a message from the server was not well-formed XML",
            FrameError::TrailingData => "a message from the server held more than one XML element",
        })
    }
}

fn is_xml_space(c: char) -> bool {
    matches!(c, ' ' | '\t' | '\r' | '\n')
}

/// Parses one frame. `Ok(None)` is a whitespace keepalive.
pub fn parse(frame: &[u8]) -> Result<Option<Element>, FrameError> {
    if frame.len() > MAX_FRAME_BYTES {
        return Err(FrameError::TooLarge);
    }
    let text = std::str::from_utf8(frame).map_err(|_| FrameError::NotUtf8)?;
    if text.chars().all(is_xml_space) {
        return Ok(None);
    }
    // minidom's own `from_reader` has no depth bound, so drive its tree builder ourselves.
    // rxml refuses any attribute value or name longer than its token limit (8 KiB by
    // default), failing the frame and so the session: anyone can send us such a stanza
    // through the server. No token can be longer than the frame, which is already bounded.
    let options = Options {
        max_token_length: frame.len().max(8192),
        ..Options::default()
    };
    let mut reader = RawReader::with_options(text.as_bytes(), options);
    let mut builder = TreeBuilder::new();
    // Open elements, those cut off included; events of elements deeper than MAX_DEPTH are not
    // handed to the tree builder.
    let mut depth = 0usize;
    loop {
        let event = match reader.read() {
            Ok(Some(event)) => event,
            Ok(None) | Err(_) => return Err(FrameError::NotWellFormed),
        };
        let cut = match event {
            RawEvent::ElementHeadOpen(..) => {
                depth += 1;
                if depth > MAX_READ_DEPTH {
                    return Err(FrameError::TooDeep);
                }
                depth > MAX_DEPTH
            }
            RawEvent::ElementFoot(..) => {
                depth = depth.saturating_sub(1);
                depth >= MAX_DEPTH
            }
            RawEvent::Attribute(..) | RawEvent::ElementHeadClose(..) | RawEvent::Text(..) => {
                depth > MAX_DEPTH
            }
            RawEvent::XmlDeclaration(..) => false,
        };
        if cut {
            continue;
        }
        builder
            .process_event(event)
            .map_err(|_| FrameError::NotWellFormed)?;
        if builder.depth() > MAX_DEPTH {
            return Err(FrameError::TooDeep);
        }
        if let Some(root) = builder.root.take() {
            return match reader.read() {
                Ok(None) => Ok(Some(root)),
                Ok(Some(_)) | Err(_) => Err(FrameError::TrailingData),
            };
        }
    }
}

/// Serializes an element we built. `None` only if it holds something XML cannot carry, which
/// [`xml_text`] prevents for user-supplied text.
pub fn serialize(element: &Element) -> Option<String> {
    let mut out = Vec::new();
    element.write_to(&mut out).ok()?;
    String::from_utf8(out).ok()
}

/// Drops the characters XML 1.0 cannot represent (most C0 controls, U+FFFE, U+FFFF): user text
/// may contain them, and the serializer would refuse the whole stanza.
pub fn xml_text(text: &str) -> String {
    text.chars()
        .filter(|&c| {
            matches!(c, '\t' | '\n' | '\r') || (c >= ' ' && c != '\u{FFFE}' && c != '\u{FFFF}')
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keepalive_and_limits() {
        assert_eq!(parse(b" \r\n\t"), Ok(None));
        assert_eq!(
            parse(b"<a xmlns='x'/><b xmlns='x'/>"),
            Err(FrameError::TrailingData)
        );
        assert_eq!(parse(b"<a xmlns='x'>"), Err(FrameError::NotWellFormed));
        assert_eq!(parse(b"<a>"), Err(FrameError::NotWellFormed));
        assert_eq!(parse(&[0xff, 0xfe]), Err(FrameError::NotUtf8));
        // Deeper than kept: cut off below MAX_DEPTH; deeper than read: refused.
        let deep = format!(
            "{}{}",
            "<a xmlns='x'>".repeat(MAX_DEPTH + 5),
            "</a>".repeat(MAX_DEPTH + 5)
        );
        let mut kept = parse(deep.as_bytes()).unwrap().unwrap();
        let mut levels = 1;
        while let Some(child) = kept.children().next().cloned() {
            kept = child;
            levels += 1;
        }
        assert_eq!(levels, MAX_DEPTH);
        let endless = format!(
            "{}{}",
            "<a xmlns='x'>".repeat(MAX_READ_DEPTH + 1),
            "</a>".repeat(MAX_READ_DEPTH + 1)
        );
        assert_eq!(parse(endless.as_bytes()), Err(FrameError::TooDeep));
        assert_eq!(
            parse("<a xmlns='x'>".repeat(MAX_DEPTH + 1).as_bytes()),
            Err(FrameError::NotWellFormed)
        );
        let ok = parse(b"<a xmlns='x'><b/></a>\n").unwrap().unwrap();
        assert!(ok.is("a", "x"));
    }

    #[test]
    fn xml_text_strips_what_xml_cannot_hold() {
        assert_eq!(xml_text("a\u{0}b\u{1b}c\td\u{FFFF}é"), "abc\tdé");
    }
}
